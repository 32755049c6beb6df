#include "ctxpack/report/secrets.h"

#include "ctxpack/support/path.h"
#include "ctxpack/support/text.h"

namespace ctxpack {

namespace {

// A path whose last components are `tail` ("a/.aws/credentials" ends in ".aws/credentials").
bool path_ends_in(std::string_view path, std::string_view tail) {
  return path == tail || (path.ends_with(tail) && path[path.size() - tail.size() - 1] == '/');
}

// Example and template files people commit on purpose.
bool is_template_name(std::string_view lname) {
  for (const char* t : {".example", ".sample", ".template", ".tmpl", ".dist", ".defaults", ".default", ".schema"}) {
    if (lname.ends_with(t)) return true;
  }
  return false;
}

}  // namespace

SecretKind classify_secret(std::string_view path, const std::function<std::string()>& read_head) {
  const std::string_view name = base_name(path);
  const std::string lname = ascii_lower(name);
  auto sk = [](const char* what, Severity s = Severity::kError) { return SecretKind{what, s}; };
  if (is_template_name(lname)) return {};

  if (name == ".env" || name.starts_with(".env.")) return sk("environment file (.env)");
  if (lname.ends_with(".env")) return sk("environment file", Severity::kWarning);
  for (const char* key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}) {
    if (name == key) return sk("SSH private key");
  }
  if (lname.ends_with(".ppk")) return sk("PuTTY private key");
  if (lname.ends_with(".pem") || lname.ends_with(".key")) {
    if (read_head().find("PRIVATE KEY") != std::string::npos) return sk("private key");
    return {};
  }
  for (const char* ext : {".p12", ".pfx", ".jks", ".keystore"}) {
    if (lname.ends_with(ext)) return sk("key store", Severity::kWarning);
  }
  if (path_ends_in(path, ".aws/credentials")) return sk("AWS credentials");
  if (name == "application_default_credentials.json" || path_ends_in(path, ".config/gcloud/credentials.db") ||
      path_ends_in(path, ".config/gcloud/access_tokens.db")) {
    return sk("Google Cloud credentials");
  }
  if (path_ends_in(path, ".azure/accessTokens.json") || path_ends_in(path, ".azure/msal_token_cache.json")) {
    return sk("Azure credentials");
  }
  if (lname.ends_with(".json") &&
      (lname.find("credential") != std::string::npos || lname.find("service-account") != std::string::npos ||
       lname.find("service_account") != std::string::npos || lname.find("serviceaccount") != std::string::npos)) {
    if (read_head().find("\"private_key\"") != std::string::npos) return sk("cloud service-account key");
    return sk("credentials file", Severity::kWarning);
  }
  if (name == "kubeconfig" || lname.ends_with(".kubeconfig") || path_ends_in(path, ".kube/config")) {
    return sk("kubeconfig");
  }
  if (name == ".npmrc") {
    std::string head = read_head();
    if (head.find("_authToken") != std::string::npos || head.find("_auth") != std::string::npos ||
        head.find("_password") != std::string::npos) {
      return sk("npm registry token (.npmrc)");
    }
    return {};
  }
  if (name == ".pypirc") {
    if (read_head().find("password") != std::string::npos) return sk("PyPI credentials (.pypirc)");
    return {};
  }
  if (name == ".netrc" || name == "_netrc") return sk("netrc credentials");
  if (name == ".git-credentials") return sk("git credentials");
  if (path_ends_in(path, ".docker/config.json")) {
    if (read_head().find("\"auth\"") != std::string::npos) return sk("Docker registry credentials");
    return {};
  }
  if (name == ".htpasswd") return sk("password hashes (.htpasswd)", Severity::kWarning);
  if (lname.ends_with(".tfstate") || lname.ends_with(".tfstate.backup")) {
    return sk("Terraform state (holds secrets in plain text)");
  }
  if (lname.ends_with(".tfvars")) return sk("Terraform variables", Severity::kWarning);
  return {};
}

}  // namespace ctxpack
