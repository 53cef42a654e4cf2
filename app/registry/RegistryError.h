#pragma once

#include "RegistryCredential.h"
#include "common/Error.h"

// A failed pull or login told in the registry's terms: which registry, and whether no login was
// found for it, the one sent was refused, or the image does not exist. A login problem comes
// back as Error::Code::Http with status 401, which is what needsLogin() looks for.
namespace RegistryError {

// reference: the image; credential: what was sent (empty: nothing was found).
Error explainPull(const Error &error, const QString &reference,
                  const RegistryCredential &credential);
// An answer of POST /auth.
Error explainLogin(const Error &error, const QString &registry);
bool needsLogin(const Error &error);
// "gpudeck login nvcr.io"; Docker Hub's without a server.
QString loginCommand(const QString &registry);
// For nvcr.io: the user is $oauthtoken and the password an NGC API key; else empty.
QString loginHint(const QString &registry);

} // namespace RegistryError
