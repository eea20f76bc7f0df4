// oauthflow's local authorization server for tests and examples.
//
// A pinned oidc-provider (see package.json) on 127.0.0.1, on an ephemeral port (or the
// configured `port`).
// It prints exactly one line starting with `OAUTHFLOW_PROVIDER_READY ` followed by
// the issuer (`http://127.0.0.1:PORT`, no trailing slash) on stdout once it listens,
// and exits when its stdin closes (so it never outlives the process that started it),
// on SIGTERM or on SIGINT.
//
// Configuration: a JSON object in the env var OAUTHFLOW_PROVIDER_CONFIG, or as the
// first argument (`node server.mjs '{"ttl":{"ClientCredentials":5}}'`, or
// `node server.mjs @config.json`). See README.md for every option.
//
// Nothing here is fit for production: test users, fixed secrets, in-memory state,
// development signing keys, and test-only routes under /__test/.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const READY_PREFIX = 'OAUTHFLOW_PROVIDER_READY';

// Configuration mistakes end the process with one clear line on stderr.
function fail(message) {
  process.stderr.write(`OAUTHFLOW_PROVIDER_FAILED ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

function readConfig() {
  let raw = process.env.OAUTHFLOW_PROVIDER_CONFIG;
  const arg = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (arg !== undefined) {
    raw = arg.startsWith('@') ? fs.readFileSync(arg.slice(1), 'utf8') : arg;
  }
  if (raw === undefined || raw.trim() === '') {
    return {};
  }
  const parsed = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('the provider configuration must be a JSON object');
  }
  return parsed;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// The public half of the development key `oauthflow_devserver::clients::MACHINE_KEY_JWK` —
// published in the repository, so never trusted anywhere else.
const MACHINE_KEY_PUBLIC = {
  kty: 'EC',
  crv: 'P-256',
  kid: 'machine-key-1',
  use: 'sig',
  alg: 'ES256',
  x: 'je1LK4jw7zBSiXupKrVaxuq6pmD-kpYaGPZqlLvKwII',
  y: 'ahd1aXIHahiv7rx1yKpQ7Z4SXsaEAUAlt001HFNYziE',
};

const DEFAULT_CLIENTS = [
  {
    client_id: 'machine-client',
    client_secret: 'machine-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'machine-post-client',
    client_secret: 'machine-post-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
    client_id: 'machine-special-client',
    client_secret: 'a:b%c+d',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    // private_key_jwt (RFC 7523): the public half of the development key
    // `oauthflow_devserver::clients::MACHINE_KEY_JWK` — published in the repository, so never
    // trusted anywhere else.
    client_id: 'machine-key-client',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [MACHINE_KEY_PUBLIC] },
  },
  {
    // FAPI 2.0 Security Profile (every `fapi-` client, see `fapiProfile`): private_key_jwt with
    // the same development key, DPoP-bound tokens, pushed authorization requests, ES256 ID
    // tokens (FAPI 2.0 §5.4.1 allows no RS256).
    client_id: 'fapi-client',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:8080/callback'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [MACHINE_KEY_PUBLIC] },
    id_token_signed_response_alg: 'ES256',
    dpop_bound_access_tokens: true,
    require_pushed_authorization_requests: true,
  },
  {
    // FAPI 2.0 for a machine: client credentials, private_key_jwt, DPoP-bound tokens.
    client_id: 'fapi-machine-client',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [MACHINE_KEY_PUBLIC] },
    dpop_bound_access_tokens: true,
  },
  {
    client_id: 'web-client',
    client_secret: 'web-secret',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:8080/callback'],
    // RP-initiated logout comes back here (oauthflow's `end_session_url` tests).
    post_logout_redirect_uris: ['http://127.0.0.1:8080/signed-out'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'spa-client',
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:5173/callback'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: 'native-client',
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // RFC 8252 §7.3: any port is accepted on loopback for native clients.
    redirect_uris: ['http://127.0.0.1/callback'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: 'spa-login-client',
    application_type: 'web',
    grant_types: ['implicit'],
    response_types: ['id_token'],
    // OIDC Core §3.2.2.1: implicit redirects must be https; nothing has to listen there.
    redirect_uris: ['https://127.0.0.1/callback'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: 'trusted-client',
    client_secret: 'trusted-secret',
    grant_types: ['password', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'device-client',
    grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'none',
  },
];

const DEFAULT_RESOURCES = {
  'https://api.example.com/orders': { scope: 'read:orders write:orders' },
  'https://api.example.com/billing': { scope: 'read:billing' },
};

const DEFAULT_USERS = {
  alice: {
    password: 'wonderland',
    claims: {
      name: 'Alice Liddell', email: 'alice@example.com', email_verified: true,
    },
  },
};

const DEFAULT_TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  DeviceCode: 600,
  IdToken: 3600,
  RefreshToken: 14 * 24 * 3600,
  Interaction: 3600,
  Session: 14 * 24 * 3600,
  Grant: 14 * 24 * 3600,
  BackchannelAuthenticationRequest: 600,
};

const KNOWN_OPTIONS = new Set([
  'clients', 'replaceDefaultClients', 'resources', 'users', 'ttl', 'rotateRefreshToken',
  'features', 'dpopRequireNonce', 'log', 'port',
]);

let config;
try {
  config = readConfig();
} catch (err) {
  fail(`invalid configuration JSON: ${err.message}`);
}
for (const key of Object.keys(config)) {
  if (!KNOWN_OPTIONS.has(key)) {
    fail(`unknown provider configuration option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
}

function buildClients() {
  const extra = config.clients ?? [];
  if (!Array.isArray(extra)) throw new TypeError('"clients" must be an array of client metadata objects');
  const byId = new Map();
  if (!config.replaceDefaultClients) {
    for (const c of DEFAULT_CLIENTS) byId.set(c.client_id, c);
  }
  for (const c of extra) {
    if (!c || typeof c.client_id !== 'string') throw new TypeError('every client needs a string "client_id"');
    byId.set(c.client_id, c);
  }
  return [...byId.values()];
}

const resources = { ...DEFAULT_RESOURCES, ...(config.resources ?? {}) };
const users = { ...DEFAULT_USERS };
for (const [name, value] of Object.entries(config.users ?? {})) {
  users[name] = typeof value === 'string' ? { password: value, claims: {} } : value;
}
const ttlSeconds = { ...DEFAULT_TTL, ...(config.ttl ?? {}) };

// TTL functions: a per-resource `accessTokenTTL` wins for access tokens, as in
// oidc-provider's defaults; everything else is the configured number of seconds.
const ttl = {};
for (const [name, seconds] of Object.entries(ttlSeconds)) {
  if (typeof seconds !== 'number' || !(seconds > 0)) {
    fail(`ttl.${name} must be a positive number of seconds`);
  }
  if (name === 'AccessToken' || name === 'ClientCredentials') {
    ttl[name] = (_ctx, token) => token.resourceServer?.accessTokenTTL || seconds;
  } else {
    ttl[name] = seconds;
  }
}

// `rotateRefreshToken`: true (always rotate), false (never: a non-compliant server for
// public clients, for warning tests) or absent/"default" (oidc-provider's default: always
// for public clients that are not sender-constrained, after 70% of the lifetime otherwise).
function rotateRefreshTokenOption() {
  const value = config.rotateRefreshToken ?? 'default';
  if (value === true || value === false) return { rotateRefreshToken: value };
  if (value === 'default') return {};
  throw new TypeError('rotateRefreshToken must be true, false or "default"');
}

// ---------------------------------------------------------------------------
// Test counters (GET /__test/grants)
// ---------------------------------------------------------------------------

function emptyCounters() {
  return {
    total: 0, errors: 0, by_client: {}, by_grant_type: {}, by_resource: {},
  };
}
let counters = emptyCounters();
const bump = (map, key) => { map[key] = (map[key] ?? 0) + 1; };

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

async function findAccount(_ctx, sub) {
  const user = users[sub];
  return {
    accountId: sub,
    async claims() {
      return { sub, ...(user?.claims ?? {}) };
    },
  };
}

// ---------------------------------------------------------------------------
// Resource servers (RFC 8707)
// ---------------------------------------------------------------------------

async function getResourceServerInfo(_ctx, resourceIndicator) {
  const rs = resources[resourceIndicator];
  if (!rs) {
    throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
  }
  return {
    scope: rs.scope ?? '',
    audience: rs.audience ?? resourceIndicator,
    accessTokenFormat: rs.accessTokenFormat ?? 'jwt',
    ...(rs.accessTokenTTL ? { accessTokenTTL: rs.accessTokenTTL } : {}),
  };
}

// ---------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------

function userFeatures() {
  const f = config.features ?? {};
  if (typeof f !== 'object' || Array.isArray(f)) throw new TypeError('"features" must be an object');
  return f;
}

// The server's signing keys: oidc-provider's quick-start RSA key (RS256, what the default
// clients' ID tokens and JWT access tokens use — as without a `jwks`) and an EC P-256 key made
// at start (ES256, for the FAPI 2.0 clients: FAPI 2.0 §5.4.1 allows PS256, ES256 and EdDSA only).
async function signingKeys() {
  const devKeystore = new URL('./consts/dev_keystore.js', import.meta.resolve('oidc-provider'));
  const { default: quickStart } = await import(devKeystore);
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { keys: [...structuredClone(quickStart).keys, { ...ec, alg: 'ES256', use: 'sig', kid: `es256-${crypto.randomUUID()}` }] };
}

// FAPI 2.0 Security Profile for the clients whose id starts with `fapi-`, none for the others.
function fapiProfile(_ctx, client) {
  return client?.clientId?.startsWith('fapi-') ? '2.0' : undefined;
}

function buildConfiguration(jwks) {
  const extraFeatures = userFeatures();
  const dPoP = { ...(extraFeatures.dPoP ?? {}) };
  if (config.dpopRequireNonce) {
    dPoP.nonceSecret = crypto.randomBytes(32);
    dPoP.requireNonce = () => true;
  }

  return {
    clients: buildClients(),
    jwks,
    findAccount,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    ttl,
    ...rotateRefreshTokenOption(),
    // Refresh tokens whenever the client may use them and `offline_access` was granted
    // (the request rewrite below keeps `offline_access` without the client having to
    // send prompt=consent).
    async issueRefreshToken(_ctx, client, source) {
      return client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access');
    },
    features: {
      ...extraFeatures,
      devInteractions: { enabled: true, ...(extraFeatures.devInteractions ?? {}) },
      clientCredentials: { enabled: true, ...(extraFeatures.clientCredentials ?? {}) },
      deviceFlow: { enabled: true, ...(extraFeatures.deviceFlow ?? {}) },
      revocation: { enabled: true, ...(extraFeatures.revocation ?? {}) },
      introspection: { enabled: true, ...(extraFeatures.introspection ?? {}) },
      dPoP,
      fapi: { enabled: true, profile: fapiProfile, ...(extraFeatures.fapi ?? {}) },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        // The resource requested at /auth or /device/auth is used at /token even when
        // the token request does not repeat it (and even with the openid scope).
        useGrantedResource: async () => true,
        getResourceServerInfo,
        ...(extraFeatures.resourceIndicators ?? {}),
      },
    },
  };
}

const server = http.createServer();
let handler = (_req, res) => { res.statusCode = 503; res.end(); };
server.on('request', (req, res) => handler(req, res));

// ---------------------------------------------------------------------------
// Request rewriting: the Auth0 `audience` parameter and `offline_access`
// ---------------------------------------------------------------------------

const AUTH_PATHS = new Set(['/auth', '/request']);
const REWRITTEN_POST_PATHS = new Set(['/token', '/device/auth', '/request', '/auth']);

// Returns the rewritten parameters, or undefined when nothing had to change.
//  - `audience=X` (Auth0 style) becomes `resource=X` (RFC 8707); when both are sent the
//    audience wins, like Auth0's resource parameter compatibility profile.
//  - On authorization requests, `offline_access` survives without the client sending
//    prompt=consent: oidc-provider drops it otherwise, so `consent` is added to `prompt`.
function rewriteParams(path, params) {
  let changed = false;
  if (params.has('audience')) {
    const audiences = params.getAll('audience');
    params.delete('audience');
    params.delete('resource');
    for (const a of audiences) params.append('resource', a);
    changed = true;
  }
  if (AUTH_PATHS.has(path)) {
    const scopes = (params.get('scope') ?? '').split(' ');
    const prompts = (params.get('prompt') ?? '').split(' ').filter(Boolean);
    if (scopes.includes('offline_access') && !prompts.includes('consent') && !prompts.includes('none')) {
      prompts.push('consent');
      params.set('prompt', prompts.join(' '));
      changed = true;
    }
  }
  return changed ? params : undefined;
}

async function readRawBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 56 * 1024) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------
// The password grant (resource owner password credentials, RFC 6749 §4.3)
// ---------------------------------------------------------------------------

function installPasswordGrant(provider) {
  const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email']);

  async function passwordGrant(ctx) {
    const { client, params } = ctx.oidc;
    const { username, password } = params;
    if (!username || !password) {
      throw new errors.InvalidRequest('username and password are required');
    }
    const user = users[username];
    const given = Buffer.from(String(password));
    const expected = Buffer.from(user ? String(user.password) : '');
    if (!user || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new errors.InvalidGrant('invalid resource owner credentials');
    }

    const requested = [...new Set((params.scope ?? '').split(' ').filter(Boolean))];
    if (client.scope) {
      const allow = new Set(client.scope.split(' '));
      for (const s of requested) {
        if (OIDC_SCOPES.has(s) && !allow.has(s)) throw new errors.InvalidScope('requested scope is not allowed', s);
      }
    }

    let resource = params.resource;
    if (Array.isArray(resource)) {
      if (resource.length !== 1) {
        throw new errors.InvalidTarget('only a single resource indicator value is supported for this grant type');
      }
      [resource] = resource;
    }

    const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
    const oidcScopes = requested.filter((s) => OIDC_SCOPES.has(s));
    if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));

    const at = new provider.AccessToken({
      accountId: username,
      client,
      gty: 'password',
    });

    let resourceServer;
    if (resource) {
      const info = await getResourceServerInfo(ctx, resource, client);
      resourceServer = new provider.ResourceServer(resource, info);
      const rsScopes = requested.filter((s) => resourceServer.scopes.has(s));
      if (rsScopes.length) grant.addResourceScope(resource, rsScopes.join(' '));
      at.resourceServer = resourceServer;
      at.scope = rsScopes.join(' ') || undefined;
    } else {
      at.scope = oidcScopes.join(' ') || undefined;
    }

    const grantId = await grant.save();
    at.grantId = grantId;

    const account = await findAccount(ctx, username);
    ctx.oidc.entity('Account', account);
    ctx.oidc.entity('Grant', grant);
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    let refreshToken;
    if (client.grantTypeAllowed('refresh_token') && requested.includes('offline_access')) {
      const rt = new provider.RefreshToken({
        accountId: username,
        client,
        grantId,
        gty: 'password',
        resource,
        rotations: 0,
        scope: requested.join(' '),
        authTime: Math.floor(Date.now() / 1000),
      });
      ctx.oidc.entity('RefreshToken', rt);
      refreshToken = await rt.save();
    }

    let idToken;
    if (requested.includes('openid')) {
      const claims = await account.claims('id_token', oidcScopes.join(' '));
      const token = new provider.IdToken({ ...claims, auth_time: Math.floor(Date.now() / 1000) }, { ctx });
      token.scope = oidcScopes.join(' ');
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = Object.fromEntries(Object.entries({
      access_token: accessToken,
      expires_in: at.expiration,
      id_token: idToken,
      refresh_token: refreshToken,
      scope: at.scope,
      token_type: at.tokenType,
    }).filter(([, v]) => v !== undefined));
  }

  provider.registerGrantType('password', passwordGrant, ['username', 'password', 'scope', 'resource'], ['resource']);
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

function log(line) {
  if (config.log) process.stderr.write(`${line}\n`);
}

async function main() {
  const wantedPort = Number(config.port ?? 0);
  if (!Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) {
    fail(`port must be an integer from 0 to 65535, got ${JSON.stringify(config.port)}`);
  }
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(wantedPort, '127.0.0.1', resolve);
    });
  } catch (err) {
    // One machine-readable line (port, error code) so that the Rust crate can say "port in
    // use" as a typed error; then the usual failure line for people reading the output.
    process.stderr.write(`OAUTHFLOW_PROVIDER_LISTEN_FAILED ${wantedPort} ${err?.code ?? 'unknown'}\n`);
    fail(`cannot listen on 127.0.0.1:${wantedPort}: ${err?.message ?? err}`);
  }
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const configuration = buildConfiguration(await signingKeys());
  const clientIds = configuration.clients.map((c) => c.client_id);
  const provider = new Provider(issuer, configuration);
  installPasswordGrant(provider);

  // oidc-provider validates static clients lazily; validate them now so that a bad client
  // fails the start-up with its reason instead of a later `invalid_client`.
  for (const id of clientIds) {
    try {
      await provider.Client.find(id);
    } catch (err) {
      fail(`client ${id}: ${err.error_description ?? err.message}`);
    }
  }

  provider.on('grant.success', (ctx) => {
    counters.total += 1;
    bump(counters.by_client, ctx.oidc.client?.clientId ?? '(none)');
    bump(counters.by_grant_type, ctx.oidc.params?.grant_type ?? '(none)');
    const { AccessToken, ClientCredentials } = ctx.oidc.entities;
    const aud = (AccessToken ?? ClientCredentials)?.aud;
    bump(counters.by_resource, Array.isArray(aud) ? aud.join(' ') : (aud ?? '(none)'));
  });
  provider.on('grant.error', (_ctx, err) => {
    counters.errors += 1;
    const detail = err?.error_detail ? ` (${err.error_detail})` : '';
    log(`grant.error ${err?.error ?? err?.name}: ${err?.error_description ?? err?.message}${detail}`);
  });
  provider.on('server_error', (_ctx, err) => {
    process.stderr.write(`server_error: ${err?.stack ?? err}\n`);
  });

  provider.use(async (ctx, next) => {
    // Test-only routes.
    if (ctx.path === '/__test/grants') {
      if (ctx.method === 'GET') {
        ctx.body = counters;
        return undefined;
      }
      if (ctx.method === 'DELETE' || ctx.method === 'POST') {
        const previous = counters;
        counters = emptyCounters();
        ctx.body = previous;
        return undefined;
      }
    }
    if (ctx.path === '/__test/health') {
      ctx.body = { ok: true, issuer };
      return undefined;
    }

    if (ctx.method === 'GET' && AUTH_PATHS.has(ctx.path)) {
      const params = rewriteParams(ctx.path, new URLSearchParams(ctx.querystring));
      if (params) ctx.querystring = params.toString();
    } else if (ctx.method === 'POST' && REWRITTEN_POST_PATHS.has(ctx.path) && ctx.is('application/x-www-form-urlencoded')) {
      const raw = await readRawBody(ctx.req);
      const rewritten = rewriteParams(ctx.path, new URLSearchParams(raw));
      // oidc-provider reads an already-consumed body from req.body.
      ctx.req.body = rewritten ? rewritten.toString() : raw;
    }

    const started = Date.now();
    await next();
    log(`${ctx.method} ${ctx.path} ${ctx.status} ${Date.now() - started}ms`);
    return undefined;
  });

  handler = provider.callback();
  process.stdout.write(`${READY_PREFIX} ${issuer}\n`);
}

function shutdown(code) {
  server.close();
  process.exit(code);
}

// Never outlive the parent: it holds our stdin and closes it when it is done (or dies).
if (!process.argv.includes('--no-stdin-watch') && !process.env.OAUTHFLOW_PROVIDER_NO_STDIN_WATCH) {
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('close', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

main().catch((err) => {
  process.stderr.write(`OAUTHFLOW_PROVIDER_FAILED ${err?.stack ?? err}\n`);
  process.exit(1);
});
