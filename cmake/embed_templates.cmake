# Turns the files of templates/mail/ into a C++ source holding them, so that
# the binary renders its mail without reading files at run time.
file(GLOB files RELATIVE ${TEMPLATE_DIR} ${TEMPLATE_DIR}/*.txt ${TEMPLATE_DIR}/*.html)
set(out "// Generated from templates/mail/ by cmake/embed_templates.cmake. Do not edit.\n#include \"payops/service/mail_templates.h\"\n\nnamespace payops::service {\n\nconst std::vector<MailTemplateFile>& MailTemplateFiles() {\n  static const std::vector<MailTemplateFile> kFiles = {\n")
list(SORT files)
foreach(f ${files})
  file(READ ${TEMPLATE_DIR}/${f} content)
  string(APPEND out "      {\"${f}\", R\"payops_mail(${content})payops_mail\"},\n")
endforeach()
string(APPEND out "  };\n  return kFiles;\n}\n\n}  // namespace payops::service\n")
file(WRITE ${OUT}.tmp "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
