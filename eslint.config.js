import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "bench/.cache/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-control-regex": "off",
    },
  },
  {
    // The app's Octokit (src/github/octokit.ts) has no REST endpoint methods and no paginate.
    files: ["src/app/**", "src/github/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...["MemberExpression[property.name=/^(rest|paginate)$/]", "MemberExpression[computed=true][property.value=/^(rest|paginate)$/]", "ObjectPattern > Property[key.name=/^(rest|paginate)$/]"].map((selector) => ({
          selector,
          message: "countersign's Octokit carries no REST endpoint methods or paginate (src/github/octokit.ts): use octokit.request or octokit.graphql.",
        })),
      ],
    },
  },
);
