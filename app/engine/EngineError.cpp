#include "EngineError.h"

#include "Endpoint.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace EngineError {

const char *const kToolkitHint =
    "The NVIDIA Container Toolkit is missing or dockerd was not restarted after configuring it: "
    "install nvidia-container-toolkit from NVIDIA's apt repository "
    "(nvidia.github.io/libnvidia-container; "
    "it is not in Debian's archive), run 'sudo nvidia-ctk runtime configure --runtime=docker', "
    "then 'sudo systemctl restart docker'";

const char *const kCdiOffHint =
    "CDI is off on this engine: Docker 25 to 28.1 need \"features\": {\"cdi\": true} in "
    "/etc/docker/daemon.json ('sudo nvidia-ctk runtime configure --runtime=docker --cdi.enabled' "
    "writes it), then 'sudo systemctl restart docker'; or launch with Device driver: nvidia";

const char *const kGpusThroughCdiHint =
    "Docker 29.2 and newer hand out --gpus through CDI: generate the NVIDIA CDI specification "
    "with 'sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml' (the NVIDIA Container "
    "Toolkit 1.18 and newer keep it current with its nvidia-cdi-refresh unit), or install the "
    "toolkit's nvidia-container-runtime-hook and restart docker";

const char *const kCdiHint =
    "Generate the CDI specification for this host's GPUs with 'sudo nvidia-ctk cdi generate "
    "--output=/etc/cdi/nvidia.yaml', or pick a GPU the engine lists ('gpudeck gpus' shows its CDI "
    "devices)";

bool isMissingImage(const QString &message)
{
    // Docker: "No such image: NAME"; Podman: "NAME: image not known".
    return message.contains(QLatin1String("no such image"), Qt::CaseInsensitive)
           || message.contains(QLatin1String("image not known"), Qt::CaseInsensitive);
}

int startFailureExitCode(const QString &message)
{
    // As docker/cli's run does with the start's error; Podman words them with capitals
    // ("No such file or directory"), so case is ignored.
    constexpr int kNotFound = 127;
    constexpr int kCannotRun = 126;
    constexpr int kLaunchFailed = 125;
    const auto has = [&message](const char *words) {
        return message.contains(QLatin1String(words), Qt::CaseInsensitive);
    };
    if (has("executable file not found") || has("no such file or directory"))
        return kNotFound;
    if (has("permission denied") || has("is a directory"))
        return kCannotRun;
    return kLaunchFailed;
}

bool isEngineLost(const Error &error)
{
    switch (error.code()) {
    case Error::Code::SocketNotFound:
    case Error::Code::ConnectionFailed:
    case Error::Code::Ssh:
    case Error::Code::Timeout:
    case Error::Code::Tls: return true;
    case Error::Code::Protocol: return error.why().contains(QLatin1String("closed"));
    default: return false;
    }
}

Error lostDuringRun(const Error &error, const QString &container, const QString &engineUrl)
{
    const QString host = engineUrl.isEmpty() ? QString() : QStringLiteral(" -H ") + engineUrl;
    return Error(error.code(), error.what(),
                 QStringLiteral("the engine stopped answering (%1)").arg(error.why()),
                 QStringLiteral("The container %1 may still be running there: once the engine is "
                                "back, 'gpudeck%2 ps --all' lists it and 'gpudeck%2 logs -f %1' "
                                "shows its output")
                     .arg(container, host));
}

QString startFailureText(int exitCode)
{
    switch (exitCode) {
    case 127: return QStringLiteral("command not found");
    case 126: return QStringLiteral("command cannot be run");
    default: return QString();
    }
}

QString messageOf(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QString message = doc.object().value(QStringLiteral("message")).toString();
        if (!message.isEmpty())
            return message;
    }
    return QString::fromUtf8(body.left(500)).trimmed();
}

Error classify(const QString &what, const QString &message, int status)
{
    Error::Code code = Error::Code::Http;
    QString hint;
    const QString lower = message.toLower();
    static const QRegularExpression tooOldClient(
        QStringLiteral("client version (\\d+\\.\\d+) is too old\\. Minimum supported API "
                       "version is (\\d+\\.\\d+)"),
        QRegularExpression::CaseInsensitiveOption);
    if (const QRegularExpressionMatch m = tooOldClient.match(message); m.hasMatch()) {
        // Docker 29 refuses clients below 1.44: the engine is newer than GPU Deck, not older.
        Error error(Error::Code::Unsupported, what,
                    QStringLiteral("the engine accepts API %1 and newer, and GPU Deck speaks at "
                                   "most API %2")
                        .arg(m.captured(2), m.captured(1)),
                    QStringLiteral("Update GPU Deck to a release that speaks API %1, or use an "
                                   "engine that still accepts API %2")
                        .arg(m.captured(2), m.captured(1)));
        error.withHttpStatus(status);
        return error;
    }
    if (lower.contains(QLatin1String("gpu vendor"))
        || (lower.contains(QLatin1String("cdi")) && lower.contains(QLatin1String("vendor")))) {
        // Docker 29.2's --gpus through CDI: "failed to discover GPU vendor from CDI: no known GPU
        // vendor found", or no CDI spec for the vendor it found.
        code = Error::Code::DeviceDriver;
        hint = QString::fromLatin1(kGpusThroughCdiHint);
    } else if (lower.contains(QLatin1String("could not select device driver \"cdi\""))) {
        // A CDI request to an engine that has the cdi feature off, not a missing toolkit.
        code = Error::Code::DeviceDriver;
        hint = QString::fromLatin1(kCdiOffHint);
    } else if (lower.contains(QLatin1String("could not select device driver"))) {
        code = Error::Code::DeviceDriver;
        hint = QString::fromLatin1(kToolkitHint);
    } else if (lower.contains(QLatin1String("unresolvable cdi devices"))) {
        code = Error::Code::DeviceDriver;
        hint = QString::fromLatin1(kCdiHint);
    } else if (lower.contains(QLatin1String("unknown or invalid runtime name"))
               || lower.contains(QLatin1String("unknown runtime specified"))) {
        hint = QStringLiteral(
            "Register the runtime with the engine: for \"nvidia\", install the NVIDIA "
            "Container Toolkit, run 'sudo nvidia-ctk runtime configure "
            "--runtime=docker' and restart dockerd; or pick the default runtime");
    } else if (isMissingImage(message)) {
        hint = QStringLiteral("Pull the image first, or check its name and tag");
    } else if (lower.contains(QLatin1String("no such container"))) {
        hint = QStringLiteral("The container is gone; refresh the list");
    } else if (lower.contains(QLatin1String("is already in use"))) {
        hint = QStringLiteral("Choose another container name, or remove the container that has it");
    } else if (lower.contains(QLatin1String("removal of container"))
               && lower.contains(QLatin1String("already in progress"))) {
        hint = QStringLiteral("The engine is already removing it; nothing to do");
    } else if (status == 500 && lower.contains(QLatin1String("nvidia-container-cli"))) {
        code = Error::Code::DeviceDriver;
        hint = QStringLiteral(
            "The NVIDIA driver or toolkit on the host failed: run 'gpudeck doctor'");
    } else if (status == 400 && lower.contains(QLatin1String("http request to an https server"))) {
        code = Error::Code::Tls;
        hint = QStringLiteral(
            "The engine expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the "
            "directory with ca.pem, cert.pem and key.pem, or use a docker context with TLS");
    } else if (status == 400 && lower.contains(QLatin1String("client version"))
               && lower.contains(QLatin1String("too new"))) {
        code = Error::Code::EngineTooOld;
        hint = QStringLiteral("Update the Docker engine");
    }
    Error error(code, what, message, hint);
    error.withHttpStatus(status);
    return error;
}

Error fromResponse(const QString &what, int status, const QByteArray &body)
{
    QString message = messageOf(body);
    if (message.isEmpty())
        message = QStringLiteral("the engine answered HTTP %1").arg(status);
    return classify(what, message, status);
}

} // namespace EngineError

namespace EngineError {

Error explain(const Error &error, const Endpoint &endpoint)
{
    if (!error.isError() || !error.hint().isEmpty())
        return error;
    const bool unix = endpoint.kind == Endpoint::Kind::Unix;
    const bool ssh = endpoint.kind == Endpoint::Kind::Ssh;
    const QString host = endpoint.host;
    QString hint;
    switch (error.code()) {
    case Error::Code::SocketNotFound:
        hint = ssh ? QStringLiteral(
                         "Check that the engine runs on %1, that its socket is the one in the URL "
                         "(ssh://%1/path/to/docker.sock), and that the ssh user is in the docker "
                         "group "
                         "there")
                         .arg(host)
                   : QStringLiteral(
                       "Is dockerd running? Start it (sudo systemctl start docker) or choose "
                       "another engine with --host or DOCKER_HOST");
        break;
    case Error::Code::PermissionDenied:
        hint =
            ssh ? QStringLiteral(
                      "Add the ssh user to the docker group on %1 (sudo usermod -aG docker USER) "
                      "and connect again")
                      .arg(host)
                : QStringLiteral(
                    "Add your user to the docker group (sudo usermod -aG docker $USER) and "
                    "log in again");
        break;
    case Error::Code::ConnectionFailed:
        if (unix && error.why().contains(QLatin1String("nothing is listening")))
            hint = QStringLiteral("dockerd is not running: start it (sudo systemctl start docker)");
        else if (ssh)
            hint = QStringLiteral("Check that %1 is up and that 'ssh %1' works in a terminal")
                       .arg(host);
        else if (!unix)
            hint =
                QStringLiteral(
                    "Check that the engine on %1 listens on port %2 (dockerd -H tcp://0.0.0.0:%2) "
                    "and that no firewall is in the way")
                    .arg(host)
                    .arg(endpoint.port);
        break;
    case Error::Code::HostNotFound:
        hint = ssh ? QStringLiteral("Check the host name, or define it as a Host in ~/.ssh/config")
                   : QStringLiteral("Check the host name in the engine address");
        break;
    case Error::Code::Tls:
        if (error.why().contains(QLatin1String("does not speak TLS")))
            hint = QStringLiteral(
                "The engine listens without TLS on this port: check the port (2376 is TLS, "
                "2375 plain)");
        else if (error.why().contains(QLatin1String("client certificate")))
            hint = QStringLiteral(
                "Use a client certificate signed by the engine's CA: cert.pem and key.pem in "
                "DOCKER_CERT_PATH or in the docker context");
        else
            hint = QStringLiteral(
                       "Check the CA certificate (ca.pem in DOCKER_CERT_PATH or in the docker "
                       "context): the engine's certificate must be signed by it, be valid now and "
                       "name %1")
                       .arg(host);
        break;
    case Error::Code::SshHostKey:
        if (error.why().contains(QLatin1String("changed")))
            hint = QStringLiteral(
                       "If %1 was reinstalled, compare its new key fingerprint with its "
                       "administrator's and remove the old one with 'ssh-keygen -R %1'; otherwise "
                       "someone may be intercepting the connection")
                       .arg(host);
        else
            hint = QStringLiteral(
                       "Connect once with 'ssh %1' in a terminal, check the key fingerprint it "
                       "shows with the host's administrator, and accept it")
                       .arg(host);
        break;
    case Error::Code::SshAuth:
        hint = QStringLiteral(
                   "Load your key into the agent (ssh-add) or set an IdentityFile for %1 in "
                   "~/.ssh/config; GPU Deck never asks for a password")
                   .arg(host);
        break;
    case Error::Code::Ssh:
        hint = QStringLiteral("Check that 'ssh %1' works in a terminal").arg(host);
        break;
    case Error::Code::Timeout:
        hint =
            unix ? QStringLiteral("Check that dockerd is running and not overloaded")
                 : QStringLiteral("Check that %1 is reachable and its engine is running").arg(host);
        break;
    case Error::Code::Protocol:
        if (error.what().contains(QLatin1String("closed"))
            || error.why().contains(QLatin1String("closed")))
            hint = QStringLiteral(
                "The engine stopped answering: check that it is still running (and restart "
                "it); a container may still be running there (docker ps)");
        else
            hint = QStringLiteral("Check that %1 is a Docker or Podman engine").arg(endpoint.url);
        break;
    default: break;
    }
    Error explained = error;
    return explained.withHint(hint);
}

} // namespace EngineError
