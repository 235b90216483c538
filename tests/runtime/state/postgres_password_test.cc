// `[state] password = { secret = … }`: the PostgreSQL role's password comes
// from a secret reference, is resolved at run time (runtime/secrets.h) and
// reaches libpq as a connection parameter — never through the URL, a plan, a
// message or the database.
//
// The server is CARTSYNC_TEST_PG_URL (tools/test.sh starts one with
// tests/state/postgres_server.sh; the role's password is in the PGPASSFILE
// it sets). These tests read that password once, then hide the pgpass file
// (PGPASSFILE=/nonexistent, no PGPASSWORD) so the only way in is the
// secret: CARTSYNC_TEST_STATE_PASSWORD in the environment. Without the
// server variable (or without a password in PGPASSFILE) they are skipped;
// the plan round trip always runs.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "model/grammar.h"
#include "model/plan.h"
#include "model/plan_json.h"
#include "runtime/secrets.h"
#include "runtime/state/postgres_state_store.h"
#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPasswordVar = "CARTSYNC_TEST_STATE_PASSWORD";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

/// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// The password PGPASSFILE holds for the URL's host, port, database and
/// user ("" when there is none); pgpass lines are host:port:db:user:password.
std::string PasswordFromPgpass(const std::string& url) {
  const std::string file = Env("PGPASSFILE");
  if (file.empty()) return "";
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "";
  }
  std::string host, port, db, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string k = o->keyword;
    if (k == "host" || k == "hostaddr") host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(options);
  std::ifstream in(file);
  const auto matches = [](const std::string& field, const std::string& want) {
    return field == "*" || field == want;
  };
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; f.size() < 4 && std::getline(ss, part, ':');) f.push_back(part);
    std::string password;
    std::getline(ss, password);
    if (f.size() == 4 && matches(f[0], host) && matches(f[1], port) && matches(f[2], db) &&
        matches(f[3], user) && !password.empty())
      return password;
  }
  return "";
}

/// The test server with its tables in a schema of their own (created here).
class PostgresPasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = Env("CARTSYNC_TEST_PG_URL");
    if (server_.empty()) GTEST_SKIP() << "CARTSYNC_TEST_PG_URL is not set (tools/test.sh)";
    password_ = PasswordFromPgpass(server_);
    if (password_.empty()) GTEST_SKIP() << "PGPASSFILE holds no password for the test server";
    schema_ = "cs_pw_" + std::to_string(getpid());
    Admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
    url_ = server_ + (server_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema_;
  }
  void TearDown() override {
    if (!schema_.empty()) Admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  /// Runs `sql` over a connection that uses PGPASSFILE (as set for the run).
  void Admin(const std::string& sql) {
    PGconn* pg = PQconnectdb(server_.c_str());
    ASSERT_EQ(PQstatus(pg), CONNECTION_OK) << PQerrorMessage(pg);
    PQsetNoticeProcessor(
        pg, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(pg, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(pg);
  }
  /// Every text value of every table of the schema, as one string.
  std::string EverythingStored() {
    // The password given directly: PGPASSFILE may be hidden by the test.
    const char* keys[] = {"dbname", "password", nullptr};
    const char* values[] = {url_.c_str(), password_.c_str(), nullptr};
    PGconn* pg = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    EXPECT_EQ(PQstatus(pg), CONNECTION_OK) << PQerrorMessage(pg);
    std::string all;
    PGresult* tables = PQexec(pg, ("SELECT table_name FROM information_schema.tables WHERE "
                                   "table_schema = '" +
                                   schema_ + "'")
                                      .c_str());
    for (int i = 0; i < PQntuples(tables); ++i) {
      PGresult* rows = PQexec(
          pg, ("SELECT t::text FROM " + schema_ + "." + PQgetvalue(tables, i, 0) + " t").c_str());
      for (int j = 0; j < PQntuples(rows); ++j) all += std::string(PQgetvalue(rows, j, 0)) + "\n";
      PQclear(rows);
    }
    PQclear(tables);
    PQfinish(pg);
    return all;
  }

  /// A project whose [state] names the test server and the secret.
  void WriteProject(const std::string& password_line) {
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"" << url_ << "\"\n"
        << password_line << "\n"
        << "[wms.main]\nsystem = \"directory\"\npath = \"exchange\"\n";
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "carts.d" / "acme.toml")
        << "[cart]\nid = \"acme\"\nclient = \"acme\"\nplatform = \"shopify\"\n"
        << "[api]\nstore_url = \"https://acme.myshopify.com\"\n"
        << "access_token = { secret = \"env:ACME_TOKEN_UNUSED\" }\n";
  }

  int Cli(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int code = RunCli(args, o, e, CliEnv{});
    out = o.str();
    err = e.str();
    return code;
  }

  std::string server_, password_, schema_, url_;
  TempDir dir_;
};

TEST_F(PostgresPasswordTest, TheSecretIsTheOnlyWayInWithoutPgpass) {
  const ScopedEnv no_pgpass("PGPASSFILE", "/nonexistent/pgpass");
  const ScopedEnv no_pgpassword("PGPASSWORD", std::nullopt);
  const ScopedEnv secret(kPasswordVar, password_);

  // Without a password: refused, for good (no retry can help).
  auto none = OpenStateStore(url_, dir_.path());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::Permanent) << none.status().message();

  // The reference resolved the way the runtime does, handed to libpq.
  auto ref = ParseSecretRef(std::string("env:") + kPasswordVar);
  ASSERT_TRUE(ref);
  EnvFileSecretResolver secrets(dir_.path());
  auto value = secrets.Resolve(*ref.value);
  ASSERT_TRUE(value.ok()) << value.status().message();
  auto store = OpenStateStore(url_, dir_.path(), /*create=*/true, value.value());
  ASSERT_TRUE(store.ok()) << store.status().message();
  LeaseInfo me{"acme", "run-1", "host1", 7, 4'000'000'000'000};
  EXPECT_TRUE(store.value()->AcquireLease(me, 1'795'000'000'000, nullptr).ok());

  // A wrong one: refused, and neither password is in the message.
  auto wrong = OpenStateStore(url_, dir_.path(), true, "not-the-password-42");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::Permanent);
  EXPECT_EQ(wrong.status().message().find("not-the-password-42"), std::string::npos)
      << wrong.status().message();
  EXPECT_EQ(wrong.status().message().find(password_), std::string::npos);

  // Nothing the store keeps holds it.
  store.value().reset();
  EXPECT_EQ(EverythingStored().find(password_), std::string::npos);
}

TEST_F(PostgresPasswordTest, RunAndStateResolveTheProjectsSecret) {
  const ScopedEnv no_pgpass("PGPASSFILE", "/nonexistent/pgpass");
  const ScopedEnv no_pgpassword("PGPASSWORD", std::nullopt);
  WriteProject(std::string("password = { secret = \"env:") + kPasswordVar + "\" }");
  const std::string project = dir_.path();
  std::string out, err;

  {  // The secret unset: a config error naming the reference, nothing run.
    const ScopedEnv secret(kPasswordVar, std::nullopt);
    EXPECT_EQ(Cli({"run", project}, out, err), 1) << err;
    EXPECT_NE(err.find("[state].password: secret env:CARTSYNC_TEST_STATE_PASSWORD is not set"),
              std::string::npos)
        << err;
    EXPECT_EQ(Cli({"state", "runs", "--project", project}, out, err), 1);
    EXPECT_NE(err.find("is not set"), std::string::npos) << err;
  }
  {  // Set: the run records itself; `state` reads what it wrote.
    const ScopedEnv secret(kPasswordVar, password_);
    EXPECT_EQ(Cli({"run", project}, out, err), 0) << out << err;
    EXPECT_EQ(err.find(password_), std::string::npos);
    EXPECT_EQ(out.find(password_), std::string::npos);
    EXPECT_EQ(Cli({"state", "runs", "--project", project, "--format", "json"}, out, err), 0) << err;
    EXPECT_NE(out.find("\"status\""), std::string::npos) << out;  // the run just made
    EXPECT_EQ(out.find(password_), std::string::npos);
    // --state naming the project's own database: its password; any other
    // URL (here the same server under another spelling) never gets it.
    EXPECT_EQ(Cli({"state", "runs", "--project", project, "--state", url_}, out, err), 0) << err;
    EXPECT_EQ(Cli({"state", "runs", "--project", project, "--state",
                   url_ + "&application_name=elsewhere"},
                  out, err),
              1);
    EXPECT_NE(err.find("password"), std::string::npos) << err;
    EXPECT_EQ(err.find(password_), std::string::npos);
    // `plan` shows the reference, never the value.
    EXPECT_EQ(Cli({"plan", project, "--format", "json"}, out, err), 0) << err;
    EXPECT_NE(out.find("env:CARTSYNC_TEST_STATE_PASSWORD"), std::string::npos) << out;
    EXPECT_EQ(out.find(password_), std::string::npos);
  }
  EXPECT_EQ(EverythingStored().find(password_), std::string::npos);
}

// --- the plan carries the reference ---------------------------------------------------

TEST(StatePasswordPlan, RoundTripsAsAReference) {
  Plan plan;
  plan.state_url = "postgres://cartsync@db/cartsync";
  plan.state_password = SecretRef{SecretRef::Kind::Env, "CARTSYNC_DB_PASSWORD"};
  const std::string json = PlanToJson(plan);
  EXPECT_NE(json.find("\"password\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"secret\": \"env:CARTSYNC_DB_PASSWORD\""), std::string::npos) << json;
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(json, back, error)) << error;
  ASSERT_TRUE(back.state_password.has_value());
  EXPECT_EQ(back.state_password->Text(), "env:CARTSYNC_DB_PASSWORD");

  // Without one, the plan has no "password" at all (older plans read as before).
  plan.state_password.reset();
  EXPECT_EQ(PlanToJson(plan).find("password"), std::string::npos);
  ASSERT_TRUE(PlanFromJson(PlanToJson(plan), back, error)) << error;
  EXPECT_FALSE(back.state_password.has_value());

  // A malformed reference in a hand-edited plan is an error naming the path.
  std::string bad = json;
  bad.replace(bad.find("env:CARTSYNC_DB_PASSWORD"), 24, "hunter2");
  EXPECT_FALSE(PlanFromJson(bad, back, error));
  EXPECT_NE(error.find("$.state.password.secret"), std::string::npos) << error;
}

}  // namespace
}  // namespace cartsync
