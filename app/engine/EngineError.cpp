#include "EngineError.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace EngineError {

const char *const kToolkitHint =
    "The NVIDIA Container Toolkit is missing or dockerd was not restarted after configuring it: "
    "install nvidia-container-toolkit, run 'sudo nvidia-ctk runtime configure --runtime=docker', "
    "then 'sudo systemctl restart docker'";

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
    if (lower.contains(QLatin1String("could not select device driver"))) {
        code = Error::Code::DeviceDriver;
        hint = QString::fromLatin1(kToolkitHint);
    } else if (lower.contains(QLatin1String("unknown or invalid runtime name"))
               || lower.contains(QLatin1String("unknown runtime specified"))) {
        hint = QStringLiteral("Register the runtime with the engine: for \"nvidia\", install the NVIDIA "
                              "Container Toolkit, run 'sudo nvidia-ctk runtime configure "
                              "--runtime=docker' and restart dockerd; or pick the default runtime");
    } else if (lower.contains(QLatin1String("no such image"))) {
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
        hint = QStringLiteral("The NVIDIA driver or toolkit on the host failed: run 'gpudeck doctor'");
    } else if (status == 400 && lower.contains(QLatin1String("client version"))) {
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
