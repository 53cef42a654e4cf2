#pragma once

#include "common/Result.h"
#include "engine/PodmanConnections.h"
#include "transport/TcpConnection.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

#include <memory>
#include <optional>

class Connector;

// Where the engine listens, how to get there, and how we came to choose it.
struct Endpoint
{
    enum class Kind { Unix, Tcp, Tls, Ssh };

    Kind kind = Kind::Unix;
    // unix:///var/run/docker.sock, tcp://gpu1:2376, ssh://me@gpu1/run/docker.sock
    QString url;
    // "--host", "DOCKER_HOST", "context NAME", "rootless socket", "default socket"
    QString source;
    QString socketPath;  // unix: the socket; ssh: the engine's socket on the host
    QString host;        // tcp, tls, ssh
    int port = 0;        // tcp, tls; ssh: 0 leaves it to ssh
    QString user;        // ssh: empty leaves it to ssh
    QString sshIdentity; // ssh: the key file a Podman connection names; empty leaves it to ssh
    TlsSettings tls;     // tls: where the CA and client certificate came from
    // tls only: made when the endpoint is resolved. Optional, since even a default
    // QSslConfiguration loads Qt's TLS backend, OpenSSL and the system's certificates: a local
    // engine pays for none of that.
    std::optional<QSslConfiguration> tlsConfiguration;

    bool isRemote() const { return kind != Kind::Unix; }
    // Anyone on the network path controls the engine: plain tcp://, or TLS without verifying it.
    bool isInsecure() const { return kind == Kind::Tcp || (kind == Kind::Tls && !tls.verifyPeer); }
    // One sentence for the window and the doctor when isInsecure().
    QString insecurityWarning() const;
    // The machine whose GPUs the engine uses, as its address tells it: engines with the same key
    // share GPUs (the local Docker and the local Podman), and a GPU held or taken through one is
    // taken for launches on the others. Unix sockets and loopback tcp:// are this machine; ssh://
    // is its host and port; other tcp:// its host. Two names of one machine are two keys: that
    // loses the union of their holders, never mixes up two machines' GPUs.
    QString gpuHostKey() const;
    // The connections to this engine.
    std::unique_ptr<Connector> connector() const;
};

struct DockerContext
{
    QString name;
    QString host; // the docker endpoint's Host, e.g. ssh://gpu1 or tcp://gpu1:2376
    bool current = false;
};

// The docker CLI's conventions: --host, then DOCKER_HOST, then Podman's CONTAINER_HOST, then
// DOCKER_CONTEXT or the config's currentContext (with the context metadata and TLS stores), then the
// rootless sockets ($XDG_RUNTIME_DIR/docker.sock, then $XDG_RUNTIME_DIR/podman/podman.sock), then
// /var/run/docker.sock, or /run/podman/podman.sock when only that one exists. tcp:// takes TLS from DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH, as the CLI does.
namespace EndpointResolver {

Result<Endpoint> resolve(const QString &hostOption,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// For a preset's launch: --host wins, then the preset's engine (a context name or a URL), then
// resolve()'s order.
Result<Endpoint> resolveForPreset(
    const QString &hostOption, const QString &presetEngine,
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// unix://, tcp:// and ssh:// URLs (and bare socket paths); TLS for tcp:// from env.
Result<Endpoint> fromUrl(const QString &url, const QString &source,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// A docker context by name, with its TLS material.
Result<Endpoint> fromContext(
    const QString &name, const QString &source,
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// One of Podman's saved connections: its URI (an ssh one without a socket path, as Podman 4.3
// stores them, means root's /run/podman/podman.sock) and its ssh key; a tcp:// one with TLS fields
// speaks TLS with them, verifying the engine (against the system's CAs when it names no CA).
Result<Endpoint> fromPodmanConnection(const PodmanConnection &connection);

// $DOCKER_CONFIG, else ~/.docker.
QString configDir(const QProcessEnvironment &env);

// The contexts in the metadata store (plus "default"), for the engine picker.
QList<DockerContext> contexts(
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace EndpointResolver
