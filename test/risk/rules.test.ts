/**
 * Every built-in path rule: paths it must match, and near misses it must not.
 */
import { describe, expect, it } from "@jest/globals";
import { classify, pathWords, type ChangedFile } from "../../src/risk/classify.js";
import { DEFAULT_RISK_CONFIG } from "../../src/risk/config.js";
import { CHANGE_RULES, PATH_RULES, RISK_RULE_IDS, RISK_RULES } from "../../src/risk/rules.js";

const modified = (path: string): ChangedFile => ({ path, status: "modified", additions: 1, deletions: 0 });
const firedBy = (path: string) => classify([modified(path)], DEFAULT_RISK_CONFIG).findings.map((f) => f.rule);

const CASES: Record<string, { match: string[]; miss: string[] }> = {
  "critical/terraform": {
    match: ["infra/prod/main.tf", "main.tf", "envs/prod.tfvars", "stack.tf.json", "prod.tfvars.json", "mod/main.tofu", "live/terragrunt.hcl", "X/MAIN.TF"],
    miss: [".terraform.lock.hcl", "src/tf.ts", "infra/main.tf.bak", "docs/main.tf.md", "infra/README.md"],
  },
  "critical/cloudformation": {
    match: ["stacks/api.cfn.yaml", "network.template.json", "cloudformation/vpc.yml", "template.yaml", "infra/app/template.json", "samconfig.toml", "cdk.json", "cdk/lib/stack.ts", "serverless.yml"],
    miss: ["src/views/template.yaml", "src/cdk-notes.ts", "docs/cloudformation/intro.md", "template.json"],
  },
  "critical/kubernetes": {
    match: ["deploy/k8s/deployment.yaml", "kubernetes/svc.yaml", "ops/manifests/app/deploy.yml", "charts/api/Chart.yaml", "charts/api/templates/_helpers.tpl", "charts/api/values.yaml", "overlays/prod/kustomization.yaml", "helmfile.yaml", "helmfile.prod.yaml"],
    miss: ["src/components/charts/LineChart.tsx", "src/manifests/index.ts", "k8s/README.md", "manifests/list.json"],
  },
  "critical/pulumi": { match: ["Pulumi.yaml", "infra/Pulumi.prod.yaml"], miss: ["src/pulumi.ts", "pulumi/index.ts"] },
  "critical/ansible": {
    match: ["playbooks/site.yml", "roles/web/tasks/main.yml", "roles/web/handlers/main.yml", "ansible/inventory.ini", "ansible.cfg"],
    miss: ["src/roles/admin.ts", "roles/web/defaults/main.yml", "docs/ansible/intro.md"],
  },
  "critical/docker": {
    match: ["Dockerfile", "services/api/Dockerfile.prod", "build/app.dockerfile", "docker-compose.yml", "docker-compose.override.yaml", "compose.yaml", "compose.prod.yml", ".dockerignore", "dockerfile", "Containerfile"],
    miss: ["src/docker.ts", "docs/Dockerfile.md", "composer.json", "src/components.yaml"],
  },
  "critical/ci-cd": {
    match: [".github/workflows/ci.yml", ".github/actions/setup/action.yml", "action.yml", ".gitlab-ci.yml", ".circleci/config.yml", "Jenkinsfile", "ci/Jenkinsfile", "azure-pipelines.yml", ".buildkite/pipeline.yml", ".travis.yml", "bitbucket-pipelines.yml", ".drone.yml", "cloudbuild.yaml", "buildspec.yml", ".appveyor.yml"],
    miss: [".github/workflow/ci.yml", "src/workflows/engine.ts", ".github/workflows/README.md", "src/action.yml", ".github/dependabot.yml"],
  },
  "critical/codeowners": { match: ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"], miss: ["src/CODEOWNERS", "CODEOWNERS.md", ".github/CODEOWNERS.bak"] },
  "critical/countersign-config": { match: [".github/countersign.yml", ".github/countersign.yaml"], miss: ["countersign.yml", ".github/countersign.yml.example", "src/countersign.ts"] },
  "critical/migrations": {
    match: ["db/migrations/001_init.sql", "migrate/0002_add.go", "db/schema/users.sql", "alembic/versions/abc123_add.py", "prisma/migrations/2024/migration.sql", "flyway/V1__init.sql", "liquibase/changelog.xml", "app/migrations/0001_initial.py"],
    miss: ["src/queries/report.sql", "src/migration.ts", "docs/migrations/howto.md"],
  },
  "critical/iam": {
    match: ["iam/roles.json", "aws/bucket-policy.json", "policies/admin.rego", "rbac/roles.yaml", "infra/iam/user.ts", "ReadOnlyPolicy.json"],
    miss: ["src/policy.ts", "config/policy.yaml", "docs/iam/intro.md"],
  },
  "critical/secrets": {
    match: [".env", "config/.env.production", "certs/server.pem", "tls/server.key", "keys/id_rsa", "keys/id_ed25519.pub", "config/client_secret.json", "src/appSecrets.ts", "aws-credentials", "deploy/creds.yaml", ".npmrc", ".pypirc", ".netrc", "kubeconfig.yaml", "test/fixtures/server.key", "store.p12", "SECRETS.YAML"],
    miss: [".env.example", "config/.env.sample", ".env.template", "src/secretary.ts", "docs/managing-secrets.md", "test/secrets.test.ts", "src/keyboard.ts", "src/env.ts"],
  },
  "high/dependencies": {
    match: ["package.json", "packages/a/package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt", "requirements-dev.txt", "requirements/prod.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "pyproject.toml", "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "pom.xml", "build.gradle", "build.gradle.kts", "src/App.csproj", "composer.json", "composer.lock", ".terraform.lock.hcl", "gradle/wrapper/gradle-wrapper.properties"],
    miss: ["src/package.ts", "docs/requirements.md", "notes.txt", "src/gomod.go"],
  },
  "high/build-scripts": {
    match: ["Makefile", "rules.mk", "build.sh", "build.rs", "scripts/release.js", "tools/setup.sh", "webpack.config.js", "vite.config.ts", "rollup.config.mjs", "tsconfig.json", "tsconfig.build.json", "packages/a/tsconfig.json", "Rakefile", "gulpfile.js", "CMakeLists.txt", "BUILD.bazel", "install.ps1"],
    miss: ["src/builder.ts", "src/rebuild.ts", "src/shell.ts", "jest.config.js", "eslint.config.js", "docs/build.md"],
  },
  "high/security-code": {
    match: ["src/auth/index.ts", "src/LoginForm.tsx", "lib/jwt_utils.py", "src/OAuth2Client.ts", "app/models/sessions.rb", "pkg/crypto/aes.go", "src/permissions.ts", "src/acl.ts", "src/password-reset.ts", "src/sso/saml.ts", "src/security/headers.ts", "src/token.ts", "src/authentication/service.ts", "src/api/authz.go"],
    miss: ["src/author.ts", "src/authors/list.ts", "src/tokenizer.ts", "src/cryptocurrency.ts", "test/auth.test.ts", "src/auth.spec.ts", "docs/auth.md", "src/styles/tokens.css", "src/Authoring.tsx", "src/passwordless-ish/readme.txt"],
  },
  "low/docs": {
    match: ["README.md", "docs/guide/setup.html", "docs/conf.py", "notes.txt", "LICENSE", "CHANGELOG.md", "src/api.rst", "guide.adoc", "NOTICE"],
    miss: ["requirements.txt", "src/readme.ts", "CMakeLists.txt", "src/docs.ts"],
  },
  "low/tests": {
    match: ["test/a.ts", "tests/test_x.py", "src/__tests__/a.ts", "spec/a_spec.rb", "src/a.test.ts", "src/a.spec.js", "pkg/a_test.go", "test_foo.py", "packages/x/test/a.ts", "src/test/java/FooTest.java"],
    miss: ["src/testing.ts", "src/contest.ts", "src/latest.ts", "src/attest.go", "test.ts"],
  },
};

describe("built-in path rules", () => {
  it("has a match and a near-miss case for every path rule", () => {
    expect(Object.keys(CASES).sort()).toEqual(PATH_RULES.map((r) => r.id).sort());
  });

  for (const rule of PATH_RULES) {
    const cases = CASES[rule.id];
    if (cases === undefined) continue;
    it.each(cases.match)(`${rule.id} matches %s`, (path) => {
      expect(firedBy(path)).toContain(rule.id);
    });
    it.each(cases.miss)(`${rule.id} does not match %s`, (path) => {
      expect(firedBy(path)).not.toContain(rule.id);
    });
  }

  it("lists rules highest level first, each with a reason, and every rule id is unique", () => {
    const ids = RISK_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(RISK_RULES.every((r) => r.reason.length > 0 && r.id.startsWith(`${r.level}/`))).toBe(true);
    expect(RISK_RULE_IDS).not.toContain("medium/code");
    expect(RISK_RULE_IDS).toHaveLength(PATH_RULES.length + CHANGE_RULES.length - 1);
  });

  it("gives a file that no rule matches medium/code", () => {
    expect(classify([modified("src/index.ts")], DEFAULT_RISK_CONFIG)).toMatchObject({ level: "medium", findings: [{ rule: "medium/code", files: ["src/index.ts"] }] });
  });

  it("fires low rules only for paths no higher rule matched", () => {
    // docs/CODEOWNERS is under docs/ but is CODEOWNERS; test/run.sh is a test dir but a script.
    expect(firedBy("docs/CODEOWNERS")).toEqual(["critical/codeowners"]);
    expect(firedBy("test/run.sh")).toEqual(["high/build-scripts"]);
    expect(firedBy("test/README.md")).toEqual(["low/docs", "low/tests"]);
  });

  it("reports every critical and high rule a path matches", () => {
    expect(firedBy("build.gradle")).toEqual(["high/dependencies", "high/build-scripts"]);
    expect(firedBy("k8s/secrets.yaml")).toEqual(["critical/kubernetes", "critical/secrets"]);
  });

  it("splits paths into words at punctuation, camelCase humps and digits", () => {
    expect(pathWords("src/OAuth2Client/jwt_utils.ts")).toEqual(["src", "o", "auth", "2", "client", "jwt", "utils", "ts"]);
    expect(pathWords("LoginForm.tsx")).toEqual(["login", "form", "tsx"]);
    expect(pathWords("JWTToken")).toEqual(["jwt", "token"]);
    expect(pathWords("author.ts")).toEqual(["author", "ts"]);
  });
});
