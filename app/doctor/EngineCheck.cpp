#include "EngineCheck.h"

#include "engine/DockerClient.h"

using Status = DoctorCheck::Status;

DoctorCheck::Verdict EngineCheck::engine(const DockerClient &client, const Result<EngineInfo> &info)
{
    const Endpoint &endpoint = client.endpoint();
    if (!info) {
        const Error &error = info.error();
        const bool local = !endpoint.isRemote();
        return {Status::Fail, error.message(), error.hint(),
                local
                        && (error.code() == Error::Code::SocketNotFound
                            || error.code() == Error::Code::ConnectionFailed)
                    ? QStringLiteral("sudo systemctl start docker")
                    : QString()};
    }
    return {Status::Pass,
            tr("%1 at %2 (API %3, from %4).")
                .arg(info.value().productName(), endpoint.url, client.apiVersion(),
                     endpoint.source),
            {},
            {}};
}

DoctorCheck::Verdict EngineCheck::socket(const DockerClient &client, const Result<EngineInfo> &info)
{
    const Endpoint &endpoint = client.endpoint();
    const bool local = !endpoint.isRemote();
    if (!info) {
        const Error &error = info.error();
        if (error.code() != Error::Code::PermissionDenied)
            return {Status::Skip, tr("Not checked: the engine did not answer."), {}, {}};
        return {Status::Fail,
                tr("Permission denied on %1.").arg(local ? endpoint.socketPath : endpoint.url),
                local ? tr("Add your user to the docker group, then log out and in again.")
                      : error.hint(),
                local ? QStringLiteral("sudo usermod -aG docker \"$USER\"") : QString()};
    }
    if (endpoint.isInsecure()) {
        return {Status::Warn,
                endpoint.insecurityWarning() + QLatin1Char('.'),
                tr("Reach the engine over ssh:// or TLS with DOCKER_TLS_VERIFY=1 instead."),
                {}};
    }
    return {Status::Pass,
            tr("%1 accepts your requests.").arg(local ? endpoint.socketPath : endpoint.url),
            {},
            {}};
}
