#include "Endpoint.h"

#include "transport/LocalConnection.h"
#include "transport/SshConnection.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace {

const QString kDefaultSocket = QStringLiteral("/var/run/docker.sock");
const QString kPodmanSocket = QStringLiteral("/run/podman/podman.sock");

QJsonObject readJsonObject(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                              : QStringLiteral("not a JSON object");
        return {};
    }
    return doc.object();
}

QString contextMetaPath(const QString &configDir, const QString &name)
{
    const QByteArray hash =
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex();
    return configDir + QStringLiteral("/contexts/meta/") + QString::fromLatin1(hash)
           + QStringLiteral("/meta.json");
}

QString contextTlsDir(const QString &configDir, const QString &name)
{
    const QByteArray hash =
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex();
    return configDir + QStringLiteral("/contexts/tls/") + QString::fromLatin1(hash)
           + QStringLiteral("/docker");
}

QString currentContextName(const QProcessEnvironment &env)
{
    QString error;
    const QJsonObject config = readJsonObject(EndpointResolver::configDir(env)
                                                  + QStringLiteral("/config.json"),
                                              &error);
    return config.value(QStringLiteral("currentContext")).toString();
}

// A tcp:// Podman connection with TLS fields speaks TLS, always verifying the engine: against its
// CA when it names one, else against the system's, as Podman does.
Result<Endpoint> withPodmanTls(Endpoint endpoint, const PodmanConnection &connection)
{
    if (connection.tlsCa.isEmpty() && connection.tlsCert.isEmpty() && connection.tlsKey.isEmpty())
        return endpoint;
    if (connection.tlsCert.isEmpty() != connection.tlsKey.isEmpty()) {
        return Error(Error::Code::Usage,
                     QStringLiteral("Podman connection \"%1\" has a TLS client %2 without its %3")
                         .arg(connection.name,
                              connection.tlsCert.isEmpty() ? QStringLiteral("key")
                                                           : QStringLiteral("certificate"),
                              connection.tlsCert.isEmpty() ? QStringLiteral("certificate")
                                                           : QStringLiteral("key")),
                     QStringLiteral("as %1 defines it").arg(connection.file),
                     QStringLiteral("add it again with both --tls-cert and --tls-key, e.g. "
                                    "'podman system connection add --tls-cert CERT --tls-key KEY "
                                    "%1 %2'")
                         .arg(connection.name, connection.uri));
    }
    endpoint.kind = Endpoint::Kind::Tls;
    if (QUrl(connection.uri).port() < 0)
        endpoint.port = 2376;
    endpoint.tls.verifyPeer = true;
    endpoint.tls.caFile = connection.tlsCa;
    endpoint.tls.certFile = connection.tlsCert;
    endpoint.tls.keyFile = connection.tlsKey;
    const Result<QSslConfiguration> config = endpoint.tls.configuration();
    if (!config)
        return config.error();
    endpoint.tlsConfiguration = config.value();
    return endpoint;
}

} // namespace

namespace EndpointResolver {

QString configDir(const QProcessEnvironment &env)
{
    const QString dir = env.value(QStringLiteral("DOCKER_CONFIG"));
    if (!dir.isEmpty())
        return dir;
    QString home = env.value(QStringLiteral("HOME"));
    if (home.isEmpty())
        home = QDir::homePath();
    return home + QStringLiteral("/.docker");
}

Result<Endpoint> fromContext(const QString &name, const QString &source,
                             const QProcessEnvironment &env)
{
    const QString path = contextMetaPath(configDir(env), name);
    QString error;
    const QJsonObject meta = readJsonObject(path, &error);
    if (meta.isEmpty()) {
        return Error(Error::Code::Usage,
                     QStringLiteral("Docker context \"%1\" (%2) cannot be used").arg(name, source),
                     QStringLiteral("%1: %2").arg(path, error),
                     QStringLiteral(
                         "list the contexts with 'docker context ls' and pick one that exists"));
    }
    const QJsonObject docker = meta.value(QStringLiteral("Endpoints"))
                                   .toObject()
                                   .value(QStringLiteral("docker"))
                                   .toObject();
    const QString host = docker.value(QStringLiteral("Host")).toString();
    if (host.isEmpty()) {
        return Error(Error::Code::Usage,
                     QStringLiteral("Docker context \"%1\" has no engine address").arg(name), path,
                     QStringLiteral("recreate it with 'docker context create'"));
    }
    // The context's own TLS material, never the environment's.
    QProcessEnvironment contextEnv;
    const QString tlsDir = contextTlsDir(configDir(env), name);
    const bool hasTls = QFileInfo::exists(tlsDir + QStringLiteral("/ca.pem"))
                        || QFileInfo::exists(tlsDir + QStringLiteral("/cert.pem"));
    if (hasTls) {
        contextEnv.insert(QStringLiteral("DOCKER_CERT_PATH"), tlsDir);
        contextEnv.insert(docker.value(QStringLiteral("SkipTLSVerify")).toBool()
                              ? QStringLiteral("DOCKER_TLS")
                              : QStringLiteral("DOCKER_TLS_VERIFY"),
                          QStringLiteral("1"));
    }
    return fromUrl(host, QStringLiteral("context %1").arg(name), contextEnv);
}

Result<Endpoint> fromPodmanConnection(const PodmanConnection &connection)
{
    const QString source = QStringLiteral("Podman connection %1").arg(connection.name);
    QString uri = connection.uri;
    // Podman's ssh URIs may carry ?secure=true (strict host keys): ssh here always checks them.
    if (uri.startsWith(QLatin1String("ssh://")))
        uri = uri.section(QLatin1Char('?'), 0, 0);
    Result<Endpoint> endpoint = fromUrl(uri, source, QProcessEnvironment());
    if (endpoint && endpoint.value().kind == Endpoint::Kind::Tcp)
        return withPodmanTls(endpoint.value(), connection);
    if (!endpoint || endpoint.value().kind != Endpoint::Kind::Ssh)
        return endpoint;
    Endpoint ssh = endpoint.value();
    const QString path = QUrl(uri).path();
    if (path.isEmpty() || path == QLatin1String("/")) {
        if (ssh.user != QLatin1String("root")) {
            return Error(Error::Code::Usage,
                         QStringLiteral("Podman connection \"%1\" names no socket on its host")
                             .arg(connection.name),
                         connection.uri,
                         QStringLiteral("add it again with the socket path, e.g. 'podman system "
                                        "connection add %1 %2/run/user/UID/podman/podman.sock'")
                             .arg(connection.name, uri));
        }
        ssh.socketPath = kPodmanSocket;
        ssh.url = (uri.endsWith(QLatin1Char('/')) ? uri.chopped(1) : uri) + kPodmanSocket;
    }
    ssh.sshIdentity = connection.identity;
    return ssh;
}

Result<Endpoint> fromUrl(const QString &url, const QString &source, const QProcessEnvironment &env)
{
    const QString trimmed = url.trimmed();
    const auto invalid = [&](const QString &why, const QString &hint) {
        return Error(Error::Code::Usage,
                     QStringLiteral("Invalid engine address %1 (from %2)").arg(trimmed, source),
                     why, hint);
    };
    Endpoint endpoint;
    endpoint.source = source;
    if (trimmed.startsWith(QLatin1String("unix://")) || trimmed.startsWith(QLatin1Char('/'))) {
        const QString path = trimmed.startsWith(QLatin1Char('/')) ? trimmed : trimmed.mid(7);
        if (path.isEmpty() || !path.startsWith(QLatin1Char('/')))
            return invalid(QStringLiteral("a unix:// address needs an absolute socket path"),
                           QStringLiteral("write it as unix:///path/to/docker.sock"));
        endpoint.kind = Endpoint::Kind::Unix;
        endpoint.socketPath = path;
        endpoint.url = QStringLiteral("unix://") + path;
        return endpoint;
    }
    if (!trimmed.startsWith(QLatin1String("tcp://"))
        && !trimmed.startsWith(QLatin1String("ssh://"))) {
        for (const char *scheme : {"npipe://", "fd://", "http://", "https://"}) {
            if (trimmed.startsWith(QLatin1String(scheme))) {
                return Error(
                    Error::Code::Unsupported,
                    QStringLiteral("Engine address %1 (from %2) is not supported")
                        .arg(trimmed, source),
                    QStringLiteral(
                        "GPU Deck reaches engines through unix://, tcp:// and ssh:// addresses"),
                    QStringLiteral(
                        "write it as unix:///path/to/docker.sock, tcp://HOST:2376 or ssh://HOST"));
            }
        }
        return invalid(
            QStringLiteral("expected a unix://, tcp:// or ssh:// URL"),
            QStringLiteral(
                "write it as unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST"));
    }
    const QUrl parsed(trimmed, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty())
        return invalid(
            QStringLiteral("the host part cannot be read"),
            QStringLiteral(
                "write it as tcp://HOST:PORT or ssh://USER@HOST[:PORT][/path/to/docker.sock]"));
    if (!parsed.password().isEmpty())
        return invalid(
            QStringLiteral("it contains a password, which GPU Deck never uses or stores"),
            QStringLiteral(
                "leave the password out and use an ssh key (ssh-agent or ~/.ssh/config)"));
    if (parsed.hasQuery() || parsed.hasFragment())
        return invalid(QStringLiteral("it has a query or fragment"),
                       QStringLiteral("leave out everything after ? or #"));
    endpoint.host = parsed.host();

    if (parsed.scheme() == QLatin1String("ssh")) {
        endpoint.kind = Endpoint::Kind::Ssh;
        endpoint.user = parsed.userName();
        endpoint.port = qMax(parsed.port(), 0);
        const QString path = parsed.path();
        endpoint.socketPath = path.isEmpty() || path == QLatin1String("/") ? kDefaultSocket : path;
        endpoint.url = trimmed.endsWith(QLatin1Char('/')) ? trimmed.chopped(1) : trimmed;
        return endpoint;
    }

    // tcp://: TLS as the docker CLI decides it.
    if (!parsed.userName().isEmpty())
        return invalid(QStringLiteral("a tcp:// address has no user"),
                       QStringLiteral("write it as tcp://HOST:PORT"));
    if (!parsed.path().isEmpty() && parsed.path() != QLatin1String("/"))
        return invalid(QStringLiteral("a tcp:// address has no path"),
                       QStringLiteral("write it as tcp://HOST:PORT"));
    const bool verify = !env.value(QStringLiteral("DOCKER_TLS_VERIFY")).isEmpty();
    const bool tls = verify || !env.value(QStringLiteral("DOCKER_TLS")).isEmpty();
    endpoint.kind = tls ? Endpoint::Kind::Tls : Endpoint::Kind::Tcp;
    endpoint.port = parsed.port(tls ? 2376 : 2375);
    endpoint.url = trimmed.endsWith(QLatin1Char('/')) ? trimmed.chopped(1) : trimmed;
    if (!tls)
        return endpoint;
    QString certDir = env.value(QStringLiteral("DOCKER_CERT_PATH"));
    if (certDir.isEmpty())
        certDir = configDir(env);
    endpoint.tls.verifyPeer = verify;
    const QString ca = certDir + QStringLiteral("/ca.pem");
    const QString cert = certDir + QStringLiteral("/cert.pem");
    const QString key = certDir + QStringLiteral("/key.pem");
    if (verify) {
        if (!QFileInfo::exists(ca)) {
            return Error(
                Error::Code::Usage,
                QStringLiteral("Cannot verify the engine at %1 (from %2)").arg(endpoint.url, source),
                QStringLiteral("there is no CA certificate %1").arg(ca),
                QStringLiteral(
                    "point DOCKER_CERT_PATH at the directory with ca.pem, cert.pem and key.pem"));
        }
        endpoint.tls.caFile = ca;
    }
    if (QFileInfo::exists(cert) && QFileInfo::exists(key)) {
        endpoint.tls.certFile = cert;
        endpoint.tls.keyFile = key;
    }
    const Result<QSslConfiguration> config = endpoint.tls.configuration();
    if (!config)
        return config.error();
    endpoint.tlsConfiguration = config.value();
    return endpoint;
}

Result<Endpoint> resolve(const QString &hostOption, const QProcessEnvironment &env)
{
    if (!hostOption.isEmpty())
        return fromUrl(hostOption, QStringLiteral("--host"));
    const QString dockerHost = env.value(QStringLiteral("DOCKER_HOST"));
    if (!dockerHost.isEmpty())
        return fromUrl(dockerHost, QStringLiteral("DOCKER_HOST"));
    // Podman's own variable; its API socket speaks the Docker Engine API too.
    const QString containerHost = env.value(QStringLiteral("CONTAINER_HOST"));
    if (!containerHost.isEmpty())
        return fromUrl(containerHost, QStringLiteral("CONTAINER_HOST"), env);
    QString context = env.value(QStringLiteral("DOCKER_CONTEXT"));
    QString contextSource = QStringLiteral("DOCKER_CONTEXT");
    if (context.isEmpty()) {
        context = currentContextName(env);
        contextSource = QStringLiteral("currentContext in %1/config.json").arg(configDir(env));
    }
    if (!context.isEmpty() && context != QLatin1String("default"))
        return fromContext(context, contextSource, env);
    const QString runtimeDir = env.value(QStringLiteral("XDG_RUNTIME_DIR"));
    if (!runtimeDir.isEmpty()) {
        const QString rootless = runtimeDir + QStringLiteral("/docker.sock");
        if (QFileInfo::exists(rootless))
            return fromUrl(rootless, QStringLiteral("rootless socket"), env);
        const QString rootlessPodman = runtimeDir + QStringLiteral("/podman/podman.sock");
        if (QFileInfo::exists(rootlessPodman))
            return fromUrl(rootlessPodman, QStringLiteral("rootless Podman socket"), env);
    }
    // Docker's socket when there is one (or for the error when there is none), else Podman's.
    if (!QFileInfo::exists(kDefaultSocket) && QFileInfo::exists(kPodmanSocket))
        return fromUrl(kPodmanSocket, QStringLiteral("Podman socket"), env);
    return fromUrl(kDefaultSocket, QStringLiteral("default socket"), env);
}

Result<Endpoint> resolveForPreset(const QString &hostOption, const QString &presetEngine,
                                  const QProcessEnvironment &env)
{
    const QString engine = presetEngine.trimmed();
    if (!hostOption.isEmpty() || engine.isEmpty())
        return resolve(hostOption, env);
    if (engine.contains(QLatin1String("://")) || engine.startsWith(QLatin1Char('/')))
        return fromUrl(engine, QStringLiteral("the preset's engine"), env);
    if (engine == QLatin1String("default")) {
        QProcessEnvironment plain = env;
        plain.remove(QStringLiteral("DOCKER_HOST"));
        plain.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("default"));
        return resolve({}, plain);
    }
    // A name: a docker context, else one of Podman's connections.
    if (!QFileInfo::exists(contextMetaPath(configDir(env), engine))) {
        if (const std::optional<PodmanConnection> podman = PodmanConnections::find(engine, env))
            return fromPodmanConnection(*podman);
    }
    return fromContext(engine, QStringLiteral("the preset's context"), env);
}

QList<DockerContext> contexts(const QProcessEnvironment &env)
{
    QString current = env.value(QStringLiteral("DOCKER_CONTEXT"));
    if (current.isEmpty())
        current = currentContextName(env);
    if (current.isEmpty())
        current = QStringLiteral("default");

    // Where "default" points: no DOCKER_HOST and no context, not even the config's current one.
    QProcessEnvironment plain = env;
    plain.remove(QStringLiteral("DOCKER_HOST"));
    plain.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("default"));
    QList<DockerContext> list;
    const Result<Endpoint> fallback = resolve({}, plain);
    list.append({QStringLiteral("default"), fallback ? fallback.value().url : QString(),
                 current == QLatin1String("default")});

    QDirIterator it(configDir(env) + QStringLiteral("/contexts/meta"),
                    {QStringLiteral("meta.json")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString error;
        const QJsonObject meta = readJsonObject(it.next(), &error);
        const QString name = meta.value(QStringLiteral("Name")).toString();
        if (name.isEmpty())
            continue;
        const QString host = meta.value(QStringLiteral("Endpoints"))
                                 .toObject()
                                 .value(QStringLiteral("docker"))
                                 .toObject()
                                 .value(QStringLiteral("Host"))
                                 .toString();
        list.append({name, host, name == current});
    }
    return list;
}

} // namespace EndpointResolver

QString Endpoint::gpuHostKey() const
{
    const QString name = host.toLower();
    switch (kind) {
    case Kind::Unix: break;
    case Kind::Ssh: return QStringLiteral("ssh://%1:%2").arg(name).arg(port > 0 ? port : 22);
    case Kind::Tcp:
    case Kind::Tls:
        if (!QHostAddress(name.startsWith(QLatin1Char('[')) ? name.mid(1).chopped(1) : name)
                 .isLoopback()
            && name != QLatin1String("localhost"))
            return QStringLiteral("tcp://") + name;
        break;
    }
    return QStringLiteral("this machine");
}

QString Endpoint::insecurityWarning() const
{
    if (kind == Kind::Tcp)
        return QStringLiteral(
                   "%1 is plain TCP without TLS: anyone on that network can control the engine "
                   "and its host")
            .arg(url);
    if (kind == Kind::Tls && !tls.verifyPeer)
        return QStringLiteral(
                   "%1 uses TLS without verifying the engine's certificate: anyone on that network "
                   "can pose as the engine (set DOCKER_TLS_VERIFY=1)")
            .arg(url);
    return {};
}

std::unique_ptr<Connector> Endpoint::connector() const
{
    switch (kind) {
    case Kind::Tcp: return std::make_unique<TcpConnector>(host, quint16(port), std::nullopt);
    case Kind::Tls:
        return std::make_unique<TcpConnector>(host, quint16(port),
                                              tlsConfiguration.value_or(QSslConfiguration()));
    case Kind::Ssh:
        return std::make_unique<SshConnector>(SshTarget{user, host, port, socketPath, sshIdentity});
    case Kind::Unix: break;
    }
    return std::make_unique<LocalConnector>(socketPath);
}
