#include "RegistryError.h"

#include "RegistryName.h"

namespace {

bool refusedLogin(const Error &error)
{
    const QString text = (error.why() + QLatin1Char(' ') + error.what()).toLower();
    return error.httpStatus() == 401 || text.contains(QLatin1String("unauthorized"))
           || text.contains(QLatin1String("authentication required"))
           || text.contains(QLatin1String("no basic auth credentials"))
           || text.contains(QLatin1String("incorrect username or password"))
           || text.contains(QLatin1String("denied"));
}

// dockerd tries an insecure registry (127.0.0.0/8 always among them) over HTTPS, then over plain
// HTTP when that failed, and reports only the second failure: a TLS registry that wanted a login
// answers it with a 400 or, racing its close, a reset connection.
bool httpsFallback(const Error &error, const QString &registry)
{
    const QString &why = error.why();
    if (why.contains(QLatin1String("HTTP request to an HTTPS server"), Qt::CaseInsensitive))
        return true;
    const QString host = registry.section(QLatin1Char(':'), 0, 0);
    const bool loopback = host == QLatin1String("localhost")
                          || host.startsWith(QLatin1String("127."));
    return loopback && why.contains(QLatin1String("connection reset by peer"));
}

bool notFound(const Error &error)
{
    const QString text = (error.why() + QLatin1Char(' ') + error.what()).toLower();
    return error.httpStatus() == 404 || text.contains(QLatin1String("manifest unknown"))
           || text.contains(QLatin1String("not found"))
           || text.contains(QLatin1String("does not exist"))
           || text.contains(QLatin1String("name unknown"));
}

} // namespace

namespace RegistryError {

QString loginCommand(const QString &registry)
{
    return RegistryName::isDockerHub(registry)
               ? QStringLiteral("gpudeck login")
               : QStringLiteral("gpudeck login %1").arg(RegistryName::host(registry));
}

QString loginHint(const QString &registry)
{
    if (RegistryName::host(registry) == QLatin1String("nvcr.io"))
        return QStringLiteral("For nvcr.io the user is $oauthtoken and the password an NGC API "
                              "key (from ngc.nvidia.com, Setup, API Key)");
    return {};
}

Error explainPull(const Error &error, const QString &reference,
                  const RegistryCredential &credential)
{
    if (!error.isError() || error.code() == Error::Code::Cancelled)
        return error;
    const QString registry = RegistryName::ofImage(reference);
    const QString what = QStringLiteral("Could not pull %1 from %2").arg(reference, registry);
    const bool hub = RegistryName::isDockerHub(registry);
    // Docker Hub answers "denied" both for a private image and for one that does not exist.
    if (refusedLogin(error) && hub && notFound(error) && credential.isEmpty())
        return Error(Error::Code::Http, what,
                     QStringLiteral("the image does not exist, or it is private and no login "
                                    "for Docker Hub was found"),
                     QStringLiteral("Check the name, or log in with '%1'")
                         .arg(loginCommand(registry)))
            .withHttpStatus(401);
    if (refusedLogin(error) || (credential.isEmpty() && httpsFallback(error, registry))) {
        if (credential.isEmpty())
            return Error(Error::Code::Http, what,
                         QStringLiteral("the registry needs a login and none was found for it"),
                         QStringLiteral("Log in with '%1' (or docker login)")
                             .arg(loginCommand(registry)))
                .withHttpStatus(401);
        return Error(Error::Code::Http, what,
                     QStringLiteral("the registry refused the login found in %1")
                         .arg(credential.source),
                     QStringLiteral("Log in again with '%1'").arg(loginCommand(registry)))
            .withHttpStatus(401);
    }
    if (notFound(error))
        return Error(Error::Code::Http, what, QStringLiteral("the registry has no such image"),
                     QStringLiteral("Check the image's name and tag"))
            .withHttpStatus(404);
    Error explained = error;
    return explained.withWhat(what);
}

Error explainLogin(const Error &error, const QString &registry)
{
    if (!error.isError())
        return error;
    const QString what = QStringLiteral("Could not log in to %1").arg(RegistryName::host(registry));
    if (refusedLogin(error)) {
        QString hint = QStringLiteral("Check the user and password");
        if (const QString ngc = loginHint(registry); !ngc.isEmpty())
            hint = ngc;
        return Error(Error::Code::Http, what,
                     QStringLiteral("the registry refused the user name or password"), hint)
            .withHttpStatus(401);
    }
    Error explained = error;
    return explained.withWhat(what);
}

bool needsLogin(const Error &error)
{
    return error.isError() && error.code() != Error::Code::Cancelled
           && (error.httpStatus() == 401 || refusedLogin(error));
}

} // namespace RegistryError
