#include "RegistryName.h"

namespace RegistryName {

QString ofImage(const QString &reference)
{
    const QString trimmed = reference.trimmed();
    const qsizetype slash = trimmed.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return QLatin1String(kDockerHub);
    const QString first = trimmed.left(slash);
    if (!first.contains(QLatin1Char('.')) && !first.contains(QLatin1Char(':'))
        && first != QLatin1String("localhost"))
        return QLatin1String(kDockerHub);
    return host(first);
}

QString host(const QString &server)
{
    QString name = server.trimmed();
    for (const char *scheme : {"https://", "http://"}) {
        if (name.startsWith(QLatin1String(scheme), Qt::CaseInsensitive)) {
            name = name.mid(qsizetype(qstrlen(scheme)));
            break;
        }
    }
    name = name.section(QLatin1Char('/'), 0, 0);
    if (name == QLatin1String("index.docker.io") || name == QLatin1String("registry-1.docker.io")
        || name == QLatin1String("registry.hub.docker.com"))
        return QLatin1String(kDockerHub);
    return name;
}

bool isDockerHub(const QString &server)
{
    return server.trimmed().isEmpty() || host(server) == QLatin1String(kDockerHub);
}

QString key(const QString &server)
{
    return isDockerHub(server) ? QLatin1String(kDockerHubKey) : host(server);
}

} // namespace RegistryName
