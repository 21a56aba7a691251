/**
 * The built-in risk rules: what a change touches, and how dangerous that is.
 *
 * Pure data. One entry per rule; the classifier (`classify.ts`) compiles them once per config, users
 * add their own path rules or switch built-ins off from the `risk` section of `.github/countersign.yml`
 * (`config.ts`).
 *
 * How the rules combine (the classifier implements exactly this):
 * - Each changed path gets the level of the rules that match it. A file is matched on its new path
 *   and, for renames and copies, on its previous path too; the file takes the higher of the two.
 * - Path rules at `critical` and `high` all fire for a path they match. `low` path rules are
 *   exemptions: they fire only for a path that no `critical`/`high` rule matched. A path nothing
 *   matched is `medium/code`, or `low/comments-only` when its patch shows only comments.
 * - Globs are picomatch globs matched against the whole repository-relative path, dot files
 *   included, case-insensitively (a `dockerfile` is a Dockerfile, `Secrets.YAML` looks like a secret).
 * - Documentation files (`DOC_FILES`) are never infrastructure, scripts, dependencies or secrets: a
 *   README inside `k8s/` or `.github/workflows/` is read by people, not by a deployment.
 * - Change rules (destructive patterns, large deletions) look at the change as a whole and at the
 *   content of patches; custom path rules from the config do not switch them off.
 *
 * Every rule here is written so that adding a file to a change can only raise its level.
 */

/** Risk levels, lowest first. */
export const TIERS = ["low", "medium", "high", "critical"] as const;
export type Tier = (typeof TIERS)[number];

/** Matches path words: a path split at `/`, `.`, `-`, `_` and other punctuation, at camelCase humps and at letter/digit boundaries, lower-cased. */
export interface WordMatch {
  /** `path`: any directory or the file name; `file-name`: the last segment only. */
  readonly in: "path" | "file-name";
  /** Whole words (already lower case). `author.ts` has the word `author`, never `auth`. */
  readonly words: readonly string[];
}

/** A rule decided by a file's path alone. */
export interface PathRule {
  readonly id: string;
  readonly level: Tier;
  /** Shown to users next to the files the rule matched. */
  readonly reason: string;
  /** Globs matched against the repository-relative path. */
  readonly paths?: readonly string[];
  /** Path words that also match (for names no glob can express without substring false positives). */
  readonly words?: WordMatch;
  /** Globs that this rule never matches, even when `paths` or `words` do. */
  readonly except?: readonly string[];
  /** Infrastructure or deployment definitions: deleting or recreating one is a destructive change. */
  readonly infrastructure?: boolean;
}

/** A rule decided by the change as a whole or by patch content (implemented in `classify.ts`). */
export interface ChangeRule {
  readonly id: string;
  readonly level: Tier;
  /** What the rule looks for; a finding's reason names the files it found. */
  readonly reason: string;
}

/** Documentation by file type: people read these, no build or deployment does. */
export const DOC_FILES: readonly string[] = ["**/*.{md,mdx,markdown,rst,adoc,asciidoc}"];

/** Test code by directory or by file-name convention. */
export const TEST_FILES: readonly string[] = [
  "**/test/**",
  "**/tests/**",
  "**/__tests__/**",
  "**/__mocks__/**",
  "**/spec/**",
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.go",
  "**/test_*.py",
  "**/*_test.py",
  "**/*_spec.rb",
];

/** Test files by name only (not by directory): a key file under `test/fixtures/` is still a key. */
const TEST_FILE_NAMES: readonly string[] = ["**/*.test.*", "**/*.spec.*", "**/*_test.go", "**/test_*.py", "**/*_test.py", "**/*_spec.rb"];

/** Example env files that by convention hold no real values. */
const ENV_EXAMPLES: readonly string[] = ["**/.env.example", "**/.env.sample", "**/.env.template", "**/.env.dist"];

/** Styles and images: never security code, whatever their names say (`tokens.css` is design tokens). */
const STYLES_AND_IMAGES: readonly string[] = ["**/*.{css,scss,sass,less,styl,svg,png,jpg,jpeg,gif,ico,webp,avif}"];

/** Path rules, checked for every changed path. Order is the order findings of one level are listed in. */
export const PATH_RULES: readonly PathRule[] = [
  // --- critical: infrastructure as code and deployment configuration -------------------------------
  {
    // Terraform / OpenTofu configuration and variables. The lock file is a dependency pin (high).
    id: "critical/terraform",
    level: "critical",
    reason: "Terraform configuration",
    paths: ["**/*.tf", "**/*.tf.json", "**/*.tfvars", "**/*.tfvars.json", "**/*.tofu", "**/terragrunt.hcl"],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // CloudFormation, SAM, CDK and Serverless: a bare `template.yaml` counts at the root (SAM's
    // default) or under an infrastructure directory, not anywhere (`src/template.yaml` is an app file).
    id: "critical/cloudformation",
    level: "critical",
    reason: "CloudFormation, SAM, CDK or Serverless deployment",
    paths: [
      "**/*.cfn.{yml,yaml,json}",
      "**/*.template.{yml,yaml,json}",
      "**/{cloudformation,cfn,sam}/**/*.{yml,yaml,json}",
      "template.{yml,yaml}",
      "**/{infra,infrastructure,deploy,deployment,deployments,aws}/**/template.{yml,yaml,json}",
      "**/samconfig.toml",
      "**/cdk.json",
      "**/cdk.context.json",
      "**/cdk/**",
      "**/serverless.{yml,yaml}",
    ],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Kubernetes manifests, Kustomize, Helm charts and helmfiles. `charts/` counts only for chart
    // files (YAML, templates), because `src/components/charts/` is a UI folder in many web apps.
    id: "critical/kubernetes",
    level: "critical",
    reason: "Kubernetes manifests or Helm charts",
    paths: [
      "**/k8s/**",
      "**/kubernetes/**",
      "**/manifests/**/*.{yml,yaml}",
      "**/Chart.{yaml,yml}",
      "**/Chart.lock",
      "**/charts/**/*.{yml,yaml,tpl}",
      "**/kustomization.{yml,yaml}",
      "**/helmfile*.{yaml,yml}",
      "**/helmfile.d/**",
      "**/skaffold.{yaml,yml}",
    ],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Pulumi project and stack settings (`Pulumi.yaml`, `Pulumi.prod.yaml`).
    id: "critical/pulumi",
    level: "critical",
    reason: "Pulumi project or stack configuration",
    paths: ["**/Pulumi*.{yaml,yml}"],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Ansible playbooks, role tasks and handlers, anything under an `ansible/` directory.
    id: "critical/ansible",
    level: "critical",
    reason: "Ansible playbooks or roles",
    paths: ["**/playbooks/**", "**/roles/**/tasks/**", "**/roles/**/handlers/**", "**/ansible/**", "**/ansible.cfg"],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Container images and compose files; `.dockerignore` decides what (secrets included) goes into an image.
    id: "critical/docker",
    level: "critical",
    reason: "container image or compose definition",
    paths: ["**/Dockerfile", "**/Dockerfile.*", "**/*.dockerfile", "**/Containerfile", "**/Containerfile.*", "**/docker-compose*.{yml,yaml}", "**/compose*.{yml,yaml}", "**/.dockerignore"],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // CI/CD pipelines: they run with the repository's secrets and ship what they build.
    id: "critical/ci-cd",
    level: "critical",
    reason: "CI/CD pipeline",
    paths: [
      ".github/workflows/**",
      ".github/actions/**",
      "action.{yml,yaml}",
      ".gitlab-ci.yml",
      ".gitlab/ci/**",
      ".circleci/**",
      "**/Jenkinsfile",
      "**/Jenkinsfile.*",
      "**/*.jenkinsfile",
      "**/azure-pipelines*.{yml,yaml}",
      ".azure-pipelines/**",
      ".buildkite/**",
      ".travis.yml",
      "bitbucket-pipelines.yml",
      ".drone.yml",
      "**/cloudbuild*.{yml,yaml,json}",
      "**/buildspec*.{yml,yaml}",
      "{.,}appveyor.yml",
      ".tekton/**",
      ".woodpecker.yml",
      ".woodpecker/**",
    ],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Who must review what: the three places GitHub reads CODEOWNERS from (and GitLab's).
    id: "critical/codeowners",
    level: "critical",
    reason: "CODEOWNERS (who must review what)",
    paths: ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"],
  },
  {
    // countersign's own configuration: an AI change must not lower its own bar.
    id: "critical/countersign-config",
    level: "critical",
    reason: "countersign's own configuration",
    paths: [".github/countersign.yml", ".github/countersign.yaml"],
  },
  {
    // Database migrations: they change production data and schemas, often irreversibly.
    id: "critical/migrations",
    level: "critical",
    reason: "database migration",
    paths: ["**/migrations/**", "**/migrate/**", "**/db/**/*.sql", "**/alembic/versions/**", "**/prisma/migrations/**", "**/flyway/**", "**/liquibase/**", "**/db/changelog/**"],
    except: DOC_FILES,
  },
  {
    // IAM and permission policies: who (or what) may do what in production.
    id: "critical/iam",
    level: "critical",
    reason: "IAM or permission policy",
    paths: ["**/iam/**", "**/*policy*.json", "**/policies/**", "**/rbac/**"],
    except: DOC_FILES,
    infrastructure: true,
  },
  {
    // Files that look like secrets or credentials. Example env files, documentation and test files
    // named after secrets (`secrets.test.ts`) are not; key material under a test directory still is.
    id: "critical/secrets",
    level: "critical",
    reason: "file that looks like a secret or credential",
    paths: [
      "**/.env",
      "**/.env.*",
      "**/.envrc",
      "**/*.pem",
      "**/*.key",
      "**/*.p12",
      "**/*.pfx",
      "**/*.jks",
      "**/*.keystore",
      "**/id_rsa*",
      "**/id_dsa*",
      "**/id_ecdsa*",
      "**/id_ed25519*",
      "**/.npmrc",
      "**/.pypirc",
      "**/.netrc",
      "**/.htpasswd",
      "**/kubeconfig*",
      "**/.kube/config",
    ],
    // Whole words, not substrings: `client_secret.json`, `appSecrets.ts`, `aws-credentials` but not `secretary.ts`.
    words: { in: "file-name", words: ["secret", "secrets", "credential", "credentials", "creds"] },
    except: [...ENV_EXAMPLES, ...DOC_FILES, ...TEST_FILE_NAMES],
  },

  // --- high ----------------------------------------------------------------------------------------
  {
    // Dependency manifests and lockfiles: what third-party code gets installed and run.
    id: "high/dependencies",
    level: "high",
    reason: "dependency manifest or lockfile",
    paths: [
      "**/package.json",
      "**/package-lock.json",
      "**/npm-shrinkwrap.json",
      "**/yarn.lock",
      "**/.yarnrc{,.yml}",
      "**/pnpm-lock.yaml",
      "**/pnpm-workspace.yaml",
      "**/bun.lock{,b}",
      "**/requirements*.txt",
      "**/requirements/*.txt",
      "**/constraints*.txt",
      "**/Pipfile",
      "**/Pipfile.lock",
      "**/poetry.lock",
      "**/pyproject.toml",
      "**/uv.lock",
      "**/setup.py",
      "**/setup.cfg",
      "**/go.mod",
      "**/go.sum",
      "**/go.work{,.sum}",
      "**/Cargo.toml",
      "**/Cargo.lock",
      "**/Gemfile",
      "**/Gemfile.lock",
      "**/*.gemspec",
      "**/pom.xml",
      "**/build.gradle{,.kts}",
      "**/settings.gradle{,.kts}",
      "**/gradle.lockfile",
      "**/gradle/wrapper/**",
      "**/*.{csproj,fsproj,vbproj}",
      "**/packages.config",
      "**/packages.lock.json",
      "**/Directory.Packages.props",
      "**/composer.{json,lock}",
      "**/.terraform.lock.hcl",
      "**/mix.{exs,lock}",
      "**/Package.{swift,resolved}",
      "**/Podfile{,.lock}",
      "**/pubspec.{yaml,lock}",
      "**/deno.{json,jsonc,lock}",
      "**/vcpkg.json",
      "**/conanfile.{txt,py}",
    ],
    except: DOC_FILES,
  },
  {
    // Build scripts and build configuration: what turns the source into the shipped artifact. This
    // includes tsconfig: one line there can turn off type checking or remap an import (`paths`).
    // Lint and test configs are not here: they do not change what ships.
    id: "high/build-scripts",
    level: "high",
    reason: "build script or build configuration",
    paths: [
      "**/Makefile",
      "**/GNUmakefile",
      "**/*.mk",
      "**/build.*",
      "**/scripts/**",
      "**/*.{sh,bash,zsh,ps1,bat,cmd}",
      "**/Rakefile",
      "**/*.rake",
      "**/gulpfile.*",
      "**/Gruntfile.*",
      "**/webpack.config.*",
      "**/vite.config.*",
      "**/rollup.config.*",
      "**/esbuild.config.*",
      "**/babel.config.*",
      "**/.babelrc{,.*}",
      "**/tsconfig*.json",
      "**/CMakeLists.txt",
      "**/*.cmake",
      "**/BUILD{,.bazel}",
      "**/WORKSPACE{,.bazel}",
      "**/MODULE.bazel",
      "**/*.bzl",
      "**/justfile",
      "**/Taskfile.{yml,yaml}",
      "**/Earthfile",
      "**/meson.build",
      "**/configure{,.ac}",
    ],
    except: DOC_FILES,
  },
  {
    // Authentication, authorization, sessions and cryptography, by path word (`src/auth/`,
    // `LoginForm.tsx`, `jwt_utils.py`) — never by substring (`author.ts`, `tokenizer.ts` are not).
    // Tests and docs about these are not security code; styles and images never are.
    id: "high/security-code",
    level: "high",
    reason: "authentication, authorization or cryptography code",
    words: {
      in: "path",
      words: [
        "auth",
        "authn",
        "authz",
        "authentication",
        "authenticate",
        "authenticator",
        "authorization",
        "authorize",
        "authorizer",
        "oauth",
        "oidc",
        "login",
        "logins",
        "session",
        "sessions",
        "crypto",
        "cryptography",
        "security",
        "permission",
        "permissions",
        "acl",
        "acls",
        "jwt",
        "jwts",
        "token",
        "tokens",
        "password",
        "passwords",
        "passwd",
        "sso",
        "saml",
      ],
    },
    except: [...DOC_FILES, ...TEST_FILES, ...STYLES_AND_IMAGES],
  },

  // --- low: exemptions for files no higher rule matched -------------------------------------------
  {
    // Documentation: by type anywhere, and everything under a top-level docs folder.
    id: "low/docs",
    level: "low",
    reason: "documentation",
    paths: [...DOC_FILES, "**/*.txt", "docs/**", "doc/**", "**/{LICENSE,LICENCE,COPYING,CHANGELOG,CHANGES,AUTHORS,CONTRIBUTORS,NOTICE}{,.*}"],
  },
  {
    // Test code, at any depth (`packages/x/test/`, Maven's `src/test/java/`) or by file-name convention.
    id: "low/tests",
    level: "low",
    reason: "tests",
    paths: TEST_FILES,
  },
];

/** Change rules, in the order findings of one level are listed (the first becomes the explanation). */
export const CHANGE_RULES: readonly ChangeRule[] = [
  {
    // An infrastructure file deleted while another is added in the same directory: what the deleted
    // file declared is destroyed and what the new one declares is created, usually not what a move intends.
    id: "critical/infrastructure-recreated",
    level: "critical",
    reason: "deletes an infrastructure file and adds another in the same directory",
  },
  {
    // A Terraform `resource` or `module` block whose address changed (same type, new name) without a
    // `moved` block: Terraform destroys the old object and creates a new one. `data` blocks read only.
    id: "critical/terraform-resource-renamed",
    level: "critical",
    reason: "renames a Terraform resource or module, which destroys and recreates it",
  },
  {
    // An infrastructure file (any `infrastructure` path rule above) deleted.
    id: "critical/infrastructure-deleted",
    level: "critical",
    reason: "deletes an infrastructure file",
  },
  {
    // Many deleted lines: more than `large_deletions.lines` in total, or a file (with at least 20
    // changed lines) that is mostly deletions. Tests and documentation do not count.
    id: "high/large-deletion",
    level: "high",
    reason: "deletes a large amount of code",
  },
  {
    // Any file removed outside tests and documentation.
    id: "high/file-removed",
    level: "high",
    reason: "removes files",
  },
  {
    // The fallback: a path no rule matched.
    id: "medium/code",
    level: "medium",
    reason: "code or other files",
  },
  {
    // A patch whose every added and removed line is a comment (or blank) in the file's language.
    // Only for paths no other rule matched, and only when the patch is available.
    id: "low/comments-only",
    level: "low",
    reason: "comment-only changes",
  },
];

/** The fallback rule cannot be disabled: every path needs a level. */
export const FALLBACK_RULE_ID = "medium/code";

/** Every built-in rule, for listings (`countersign rules`) and docs. */
export const RISK_RULES: readonly { readonly id: string; readonly level: Tier; readonly reason: string }[] = [...PATH_RULES, ...CHANGE_RULES]
  .map(({ id, level, reason }) => ({ id, level, reason }))
  .sort((a, b) => TIERS.indexOf(b.level) - TIERS.indexOf(a.level));

/** Built-in rule ids that `risk.disable_rules` accepts (all but the fallback). */
export const RISK_RULE_IDS: readonly string[] = RISK_RULES.map((r) => r.id).filter((id) => id !== FALLBACK_RULE_ID);
