// A real OpenID provider (the npm package oidc-provider) that enforces PKCE, for the tests only.
//
//   node provider.js CLIENT_ID CLIENT_SECRET REDIRECT_URI ACCOUNT_JSON
//
// Listens on a free loopback port and prints {"issuer": ...} on one line when ready. Every
// sign-in is the one account given as JSON ({"sub": ..., "email": ..., ...}); login and
// consent are granted at once, so a test can follow the redirects without a browser.
import http from 'node:http';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri, accountJson] = process.argv.slice(2);
const { sub, ...claims } = JSON.parse(accountJson);
let handle;

async function grantAtOnce(req, res) {
  const provider = handle.provider;
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: sub } },
      { mergeWithLastSubmission: false });
    return;
  }
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    grantAtOnce(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  handle.callback(req, res);
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, ...claims }),
    }),
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-only-cookie-signing-key'] },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  handle = { provider, callback: provider.callback() };
  console.log(JSON.stringify({ issuer }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
