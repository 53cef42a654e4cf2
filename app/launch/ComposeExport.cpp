#include "ComposeExport.h"

#include "LaunchSpec.h"
#include "YamlText.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace {

// Compose replaces ${VAR} and $VAR in every string of the file; "$$" is a literal "$".
QString literal(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('$'), QStringLiteral("$$"));
    return YamlText::quoted(escaped);
}

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &item : value.toArray())
        out << item.toString();
    return out;
}

void blockList(QString &text, const QString &indent, const QStringList &items)
{
    for (const QString &item : items)
        text += indent + QStringLiteral("- ") + literal(item) + QLatin1Char('\n');
}

// A bind's source that is not a path names a volume, which compose wants declared.
bool isNamedVolume(const QString &bind)
{
    const QString source = bind.section(QLatin1Char(':'), 0, 0);
    return !source.startsWith(QLatin1Char('/')) && !source.startsWith(QLatin1Char('.'))
           && !source.startsWith(QLatin1Char('~'));
}

} // namespace

QString ComposeExport::serviceName(const LaunchSpec &spec)
{
    // Compose service names: lowercase letters, digits, '_', '.' and '-', starting alphanumeric.
    QString name = spec.containerName.toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9_.-]")), QStringLiteral("-"));
    name.remove(QRegularExpression(QStringLiteral("^[^a-z0-9]+")));
    return name.isEmpty() ? QStringLiteral("gpu") : name;
}

QString ComposeExport::yaml(const LaunchSpec &spec)
{
    const QJsonObject body = spec.createBody(false);
    const QJsonObject host = body.value(QStringLiteral("HostConfig")).toObject();
    const QString in2 = QStringLiteral("    ");
    const QString in3 = QStringLiteral("      ");

    QString text = QStringLiteral(
        "# Exported by GPU Deck. Start it with: docker compose -f THIS_FILE up\n"
        "# (Compose 2.x; the GPU reservation needs the NVIDIA Container Toolkit on the host.)\n");
    if (spec.autoRemove)
        text += QStringLiteral(
            "# Compose keeps the container after it exits; `docker compose down` removes it.\n");
    if (spec.usesCdi())
        text += QStringLiteral(
            "# On Podman, start it with podman-compose: Podman before 5.4 ignores the CDI devices\n"
            "# that docker compose asks for, and the container would run without its GPUs.\n");
    text += QStringLiteral("services:\n  %1:\n").arg(serviceName(spec));
    text += in2 + QStringLiteral("image: ")
            + literal(body.value(QStringLiteral("Image")).toString()) + QLatin1Char('\n');
    if (!spec.containerName.isEmpty())
        text += in2 + QStringLiteral("container_name: ") + literal(spec.containerName)
                + QLatin1Char('\n');
    if (body.contains(QStringLiteral("Cmd"))) {
        text += in2 + QStringLiteral("command:\n");
        blockList(text, in3, strings(body.value(QStringLiteral("Cmd"))));
    }
    if (body.contains(QStringLiteral("Env"))) {
        text += in2 + QStringLiteral("environment:\n");
        blockList(text, in3, strings(body.value(QStringLiteral("Env"))));
    }
    if (body.value(QStringLiteral("Tty")).toBool())
        text += in2 + QStringLiteral("tty: true\n");
    if (body.value(QStringLiteral("OpenStdin")).toBool())
        text += in2 + QStringLiteral("stdin_open: true\n");
    if (body.contains(QStringLiteral("User")))
        text += in2 + QStringLiteral("user: ")
                + literal(body.value(QStringLiteral("User")).toString()) + QLatin1Char('\n');
    if (body.contains(QStringLiteral("WorkingDir")))
        text += in2 + QStringLiteral("working_dir: ")
                + literal(body.value(QStringLiteral("WorkingDir")).toString()) + QLatin1Char('\n');
    if (body.contains(QStringLiteral("Entrypoint"))) {
        text += in2 + QStringLiteral("entrypoint:\n");
        blockList(text, in3, strings(body.value(QStringLiteral("Entrypoint"))));
    }
    const QJsonArray ulimits = host.value(QStringLiteral("Ulimits")).toArray();
    if (!ulimits.isEmpty()) {
        text += in2 + QStringLiteral("ulimits:\n");
        for (const QJsonValue &limit : ulimits) {
            text += in3
                    + QStringLiteral("%1:\n%2  soft: %3\n%2  hard: %4\n")
                          .arg(limit[QStringLiteral("Name")].toString(), in3)
                          .arg(limit[QStringLiteral("Soft")].toInteger())
                          .arg(limit[QStringLiteral("Hard")].toInteger());
        }
    }
    if (host.contains(QStringLiteral("Runtime")))
        text += in2 + QStringLiteral("runtime: ")
                + literal(host.value(QStringLiteral("Runtime")).toString()) + QLatin1Char('\n');
    if (host.contains(QStringLiteral("ShmSize"))) // bytes, as the engine gets them
        text += in2
                + QStringLiteral("shm_size: %1\n")
                      .arg(qint64(host.value(QStringLiteral("ShmSize")).toDouble()));
    if (host.contains(QStringLiteral("IpcMode")))
        text += in2 + QStringLiteral("ipc: ")
                + literal(host.value(QStringLiteral("IpcMode")).toString()) + QLatin1Char('\n');
    if (host.contains(QStringLiteral("NetworkMode")))
        text += in2 + QStringLiteral("network_mode: ")
                + literal(host.value(QStringLiteral("NetworkMode")).toString()) + QLatin1Char('\n');
    const QStringList binds = strings(host.value(QStringLiteral("Binds")));
    if (!binds.isEmpty()) {
        text += in2 + QStringLiteral("volumes:\n");
        blockList(text, in3, binds);
    }
    if (!spec.ports.isEmpty()) {
        // Compose reads its short port syntax with the same rules as docker run -p.
        text += in2 + QStringLiteral("ports:\n");
        blockList(text, in3, spec.ports);
    }

    const QJsonArray requests = host.value(QStringLiteral("DeviceRequests")).toArray();
    for (const QJsonValue &value : requests) {
        const QJsonObject request = value.toObject();
        if (request.value(QStringLiteral("Driver")).toString() == QLatin1String("cdi")) {
            // What `docker run --device NAME` does: compose turns CDI names into the cdi request.
            text += in2 + QStringLiteral("devices:\n");
            blockList(text, in3, strings(request.value(QStringLiteral("DeviceIDs"))));
            continue;
        }
        const QString in5 = QStringLiteral("          ");
        text += in2 + QStringLiteral("deploy:\n") + in2 + QStringLiteral("  resources:\n") + in2
                + QStringLiteral("    reservations:\n") + in2 + QStringLiteral("      devices:\n");
        QStringList fields;
        const QString driver = request.value(QStringLiteral("Driver")).toString();
        if (!driver.isEmpty())
            fields << QStringLiteral("driver: ") + literal(driver);
        // count or device_ids, never both: the engine refuses a request with both.
        if (request.value(QStringLiteral("DeviceIDs")).isArray()) {
            fields << QStringLiteral("device_ids: ")
                          + YamlText::flowList(strings(request.value(QStringLiteral("DeviceIDs"))));
        } else {
            const int count = request.value(QStringLiteral("Count")).toInt();
            fields << (count < 0 ? QStringLiteral("count: all")
                                 : QStringLiteral("count: %1").arg(count));
        }
        fields << QStringLiteral("capabilities: ")
                      + YamlText::flowList(
                          strings(request.value(QStringLiteral("Capabilities")).toArray().first()));
        for (int i = 0; i < fields.size(); ++i)
            text += in5 + (i == 0 ? QStringLiteral("- ") : QStringLiteral("  ")) + fields.at(i)
                    + QLatin1Char('\n');
    }

    QStringList volumes;
    for (const QString &bind : binds) {
        if (isNamedVolume(bind))
            volumes << bind.section(QLatin1Char(':'), 0, 0);
    }
    volumes.removeDuplicates();
    if (!volumes.isEmpty()) {
        // name: keeps the volume's own name, as docker run -v uses it, instead of PROJECT_name.
        text += QStringLiteral("volumes:\n");
        for (const QString &volume : volumes)
            text += QStringLiteral("  %1:\n    name: %2\n").arg(literal(volume), literal(volume));
    }
    return text;
}
