// libpq loaded when it is first used, for payops-mail-ingest: the mail
// server starts the program once per message, and libpq with its libraries
// (OpenSSL, GnuTLS, Kerberos, LDAP, SASL: two dozen) costs more start-up than
// the rest of ingest together, although most installations ingest into
// SQLite. The program defines the libpq functions the PostgreSQL backend
// calls (store/postgres/); each forwards to libpq.so.5, opened with dlopen at
// the first call. When libpq cannot be opened, PQconnectdb returns no
// connection, PQstatus says CONNECTION_BAD and PQerrorMessage why, so the
// store's open fails with that message (mail-ingest: try again later).
//
// Linked into payops-mail-ingest only; `payops` links libpq as usual.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <cstring>
#include <string>

namespace {

struct Library {
  void* handle = nullptr;
  std::string error;
};

const Library& Libpq() {
  static const Library lib = [] {
    Library l;
    l.handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!l.handle) {
      const char* why = dlerror();
      l.error = std::string("cannot load libpq.so.5: ") + (why ? why : "unknown error") + "\n";
    }
    return l;
  }();
  return lib;
}

template <typename F>
F Symbol(const char* name) {
  const Library& lib = Libpq();
  if (!lib.handle) return nullptr;
  void* p = dlsym(lib.handle, name);
  F f = nullptr;
  static_assert(sizeof f == sizeof p);
  std::memcpy(&f, &p, sizeof f);
  return f;
}

}  // namespace

// The function `name` of libpq, looked up once.
#define PAYOPS_LIBPQ(name) static const auto fn = Symbol<decltype(&::name)>(#name)

void PQclear(PGresult* res) {
  PAYOPS_LIBPQ(PQclear);
  if (fn) fn(res);
}

char* PQcmdTuples(PGresult* res) {
  PAYOPS_LIBPQ(PQcmdTuples);
  static char empty[] = "";
  return fn ? fn(res) : empty;
}

PGconn* PQconnectdb(const char* conninfo) {
  PAYOPS_LIBPQ(PQconnectdb);
  return fn ? fn(conninfo) : nullptr;
}

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values,
                          int expand_dbname) {
  PAYOPS_LIBPQ(PQconnectdbParams);
  return fn ? fn(keywords, values, expand_dbname) : nullptr;
}

char* PQerrorMessage(const PGconn* conn) {
  PAYOPS_LIBPQ(PQerrorMessage);
  if (fn) return fn(conn);
  static std::string message = Libpq().error;
  return message.data();
}

PGresult* PQexec(PGconn* conn, const char* query) {
  PAYOPS_LIBPQ(PQexec);
  return fn ? fn(conn, query) : nullptr;
}

PGresult* PQexecPrepared(PGconn* conn, const char* stmt_name, int n_params,
                         const char* const* param_values, const int* param_lengths,
                         const int* param_formats, int result_format) {
  PAYOPS_LIBPQ(PQexecPrepared);
  return fn ? fn(conn, stmt_name, n_params, param_values, param_lengths, param_formats,
                 result_format)
            : nullptr;
}

int PQenterPipelineMode(PGconn* conn) {
  PAYOPS_LIBPQ(PQenterPipelineMode);
  return fn ? fn(conn) : 0;
}

int PQexitPipelineMode(PGconn* conn) {
  PAYOPS_LIBPQ(PQexitPipelineMode);
  return fn ? fn(conn) : 0;
}

void PQfinish(PGconn* conn) {
  PAYOPS_LIBPQ(PQfinish);
  if (fn) fn(conn);
}

Oid PQftype(const PGresult* res, int field_num) {
  PAYOPS_LIBPQ(PQftype);
  return fn ? fn(res, field_num) : InvalidOid;
}

PGresult* PQgetResult(PGconn* conn) {
  PAYOPS_LIBPQ(PQgetResult);
  return fn ? fn(conn) : nullptr;
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  PAYOPS_LIBPQ(PQgetisnull);
  return fn ? fn(res, tup_num, field_num) : 1;
}

int PQgetlength(const PGresult* res, int tup_num, int field_num) {
  PAYOPS_LIBPQ(PQgetlength);
  return fn ? fn(res, tup_num, field_num) : 0;
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  PAYOPS_LIBPQ(PQgetvalue);
  static char empty[] = "";
  return fn ? fn(res, tup_num, field_num) : empty;
}

int PQnfields(const PGresult* res) {
  PAYOPS_LIBPQ(PQnfields);
  return fn ? fn(res) : 0;
}

int PQntuples(const PGresult* res) {
  PAYOPS_LIBPQ(PQntuples);
  return fn ? fn(res) : 0;
}

int PQpipelineSync(PGconn* conn) {
  PAYOPS_LIBPQ(PQpipelineSync);
  return fn ? fn(conn) : 0;
}

PGresult* PQprepare(PGconn* conn, const char* stmt_name, const char* query, int n_params,
                    const Oid* param_types) {
  PAYOPS_LIBPQ(PQprepare);
  return fn ? fn(conn, stmt_name, query, n_params, param_types) : nullptr;
}

void PQreset(PGconn* conn) {
  PAYOPS_LIBPQ(PQreset);
  if (fn) fn(conn);
}

int PQsendQueryParams(PGconn* conn, const char* command, int n_params, const Oid* param_types,
                      const char* const* param_values, const int* param_lengths,
                      const int* param_formats, int result_format) {
  PAYOPS_LIBPQ(PQsendQueryParams);
  return fn ? fn(conn, command, n_params, param_types, param_values, param_lengths, param_formats,
                 result_format)
            : 0;
}

int PQsendQueryPrepared(PGconn* conn, const char* stmt_name, int n_params,
                        const char* const* param_values, const int* param_lengths,
                        const int* param_formats, int result_format) {
  PAYOPS_LIBPQ(PQsendQueryPrepared);
  return fn ? fn(conn, stmt_name, n_params, param_values, param_lengths, param_formats,
                 result_format)
            : 0;
}

char* PQresultErrorField(const PGresult* res, int fieldcode) {
  PAYOPS_LIBPQ(PQresultErrorField);
  return fn ? fn(res, fieldcode) : nullptr;
}

ExecStatusType PQresultStatus(const PGresult* res) {
  PAYOPS_LIBPQ(PQresultStatus);
  return fn ? fn(res) : PGRES_FATAL_ERROR;
}

ConnStatusType PQstatus(const PGconn* conn) {
  PAYOPS_LIBPQ(PQstatus);
  return fn ? fn(conn) : CONNECTION_BAD;
}
