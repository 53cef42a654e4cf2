#pragma once

#include "common/Result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

// Where the engine listens, and how we came to choose it.
struct Endpoint
{
    QString url;        // unix:///var/run/docker.sock
    QString socketPath; // /var/run/docker.sock
    QString source;     // "--host", "DOCKER_HOST", "context NAME", "rootless socket", "default socket"
};

struct DockerContext
{
    QString name;
    QString host;    // the docker endpoint's Host, e.g. unix:///run/user/1000/docker.sock
    bool current = false;
};

// The docker CLI's conventions: --host, then DOCKER_HOST, then DOCKER_CONTEXT or the config's
// currentContext (with the context metadata store), then the rootless socket, then the default.
namespace EndpointResolver {

Result<Endpoint> resolve(const QString &hostOption,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// unix:// URLs become endpoints; tcp:// and ssh:// are recognised and refused for now.
Result<Endpoint> fromUrl(const QString &url, const QString &source);

// $DOCKER_CONFIG, else ~/.docker.
QString configDir(const QProcessEnvironment &env);

// The contexts in the metadata store (plus "default"), for the engine picker.
QList<DockerContext> contexts(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace EndpointResolver
