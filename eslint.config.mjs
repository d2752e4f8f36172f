// Lint: Nx module boundaries (real tag pairs, never *->*) and the type-aware rules of ../shared/STYLE.md.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const dep = (sourceTag, ...onlyDependOnLibsWithTags) => ({ sourceTag, onlyDependOnLibsWithTags });
/**
 * The tag pairs; `extra` widens the type: rules (tests may also use testing helpers and simulators), `scopeExtra`
 * widens named scope: rules (tests only).
 */
const constraints = (extra, scopeExtra = {}) => {
  const table = [
    // by kind
    dep('type:app', 'type:feature', 'type:client', 'type:contracts', 'type:data', 'type:util', 'type:domain'),
    dep('type:feature', 'type:client', 'type:contracts', 'type:data', 'type:util', 'type:domain'),
    dep('type:client', 'type:contracts', 'type:util'),
    dep('type:data', 'type:contracts', 'type:util'),
    dep('type:domain', 'type:contracts', 'type:util'),
    dep('type:simulator', 'type:contracts', 'type:util', 'type:testing', 'type:simulator'),
    dep('type:util', 'type:contracts', 'type:util'),
    dep('type:contracts'),
    dep('type:testing', 'type:feature', 'type:client', 'type:contracts', 'type:data', 'type:util', 'type:simulator', 'type:testing', 'type:domain'),
    // by partner: a partner's code reaches only its own partner and shared code
    dep('scope:fusion', 'scope:fusion', 'scope:shared'),
    dep('scope:shipbob', 'scope:shipbob', 'scope:shared'),
    dep('scope:shopify', 'scope:shopify', 'scope:shared'),
    dep('scope:shared', 'scope:shared'),
    dep('scope:tenants', 'scope:tenants', 'scope:shared', 'scope:fusion', 'scope:shipbob', 'scope:shopify'),
    dep('scope:cli', 'scope:cli', 'scope:shared', 'scope:tenants'),
    // services: each reaches shared code, domain rules and the partners it talks to, never another service
    dep('scope:oracle-poller', 'scope:oracle-poller', 'scope:shared', 'scope:tenants', 'scope:fusion', 'scope:domain'),
    // the gateway keys ShipBob shipment states by the domain's reading of them (milestoneOfStatus)
    dep('scope:webhook-gateway', 'scope:webhook-gateway', 'scope:shared', 'scope:tenants', 'scope:shipbob', 'scope:shopify', 'scope:domain'),
    dep('scope:mapper', 'scope:mapper', 'scope:shared', 'scope:tenants', 'scope:domain', 'scope:shipbob', 'scope:shopify', 'scope:fusion'),
    dep('scope:shipbob-writer', 'scope:shipbob-writer', 'scope:shared', 'scope:tenants', 'scope:shipbob'),
    dep('scope:fusion-writer', 'scope:fusion-writer', 'scope:shared', 'scope:tenants', 'scope:fusion', 'scope:domain'),
    dep('scope:audit-projector', 'scope:audit-projector', 'scope:shared', 'scope:tenants'),
    // the combined process (services/combined) boots the six services, loading each by path at run time
    dep('scope:combined', 'scope:combined', 'scope:shared'),
    dep('scope:domain', 'scope:domain', 'scope:shared'),
  ];
  return table
    .map((c) =>
      c.sourceTag.startsWith('type:') && c.sourceTag !== 'type:contracts' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...extra] } : c,
    )
    .map((c) => (scopeExtra[c.sourceTag] ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...scopeExtra[c.sourceTag]] } : c));
};
const boundaries = (extra, scopeExtra) => ['error', { allow: [], enforceBuildableLibDependency: false, depConstraints: constraints(extra, scopeExtra) }];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '.nx/**', 'libs/contracts/src/generated/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  // node:test's describe/it return promises the runner itself awaits.
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      // webhook-gateway's sweep specs map sweep bodies with domain-accounting to compare with the webhook's invoice, and
      // its ShipBob sweep spec follows a swept delivery through mapper and fusion-writer into the Fusion sandbox.
      '@nx/enforce-module-boundaries': boundaries(['type:testing', 'type:simulator'], { 'scope:webhook-gateway': ['scope:domain', 'scope:fusion'] }),
    },
  },
);
