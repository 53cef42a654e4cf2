#include "PythonExport.h"

#include "ByteSize.h"
#include "DockerCreateBody.h"
#include "DockerRunExport.h"
#include "LaunchSpec.h"
#include "PortMapping.h"
#include "QuotedText.h"
#include "Ulimit.h"
#include "common/JsonStrings.h"

#include <QJsonArray>
#include <QJsonObject>

QString PythonExport::stringLiteral(const QString &text)
{
    return QuotedText::quoted(text, QuotedText::Dialect::Python);
}

QString PythonExport::listLiteral(const QStringList &items)
{
    return QuotedText::list(items, QuotedText::Dialect::Python);
}

namespace {

QString deviceRequestLiteral(const LaunchSpec &spec)
{
    // Built from the same request the app sends, so the script asks for exactly the same.
    const QJsonObject request = DockerCreateBody::deviceRequests(spec).first().toObject();
    QStringList args;
    const QString driver = request.value(QStringLiteral("Driver")).toString();
    if (!driver.isEmpty())
        args << QStringLiteral("driver=") + PythonExport::stringLiteral(driver);
    const int count = request.value(QStringLiteral("Count")).toInt();
    if (count != 0)
        args << QStringLiteral("count=%1").arg(count);
    if (request.value(QStringLiteral("DeviceIDs")).isArray()) {
        args << QStringLiteral("device_ids=")
                    + PythonExport::listLiteral(
                        jsonStrings(request.value(QStringLiteral("DeviceIDs"))));
    }
    if (request.value(QStringLiteral("Capabilities")).isArray()) {
        QStringList caps;
        for (const QJsonValue &cap :
             request.value(QStringLiteral("Capabilities")).toArray().first().toArray())
            caps << cap.toString();
        args << QStringLiteral("capabilities=[") + PythonExport::listLiteral(caps)
                    + QLatin1Char(']');
    }
    return QStringLiteral("docker.types.DeviceRequest(") + args.join(QStringLiteral(", "))
           + QLatin1Char(')');
}

// ports={"8888/tcp": ("127.0.0.1", "8888")}: the SDK turns each (HostIp, HostPort) pair into the
// binding as given, and the keys into ExposedPorts, so the container gets the PortBindings the
// app sends (taken from the same map).
QString portsLiteral(const LaunchSpec &spec)
{
    const QJsonObject bindings = PortMappings::portBindings(spec.ports);
    QStringList items;
    for (auto it = bindings.constBegin(); it != bindings.constEnd(); ++it) {
        QStringList pairs;
        for (const QJsonValue &value : it.value().toArray()) {
            const QJsonObject binding = value.toObject();
            pairs << QLatin1Char('(')
                         + PythonExport::stringLiteral(
                             binding.value(QStringLiteral("HostIp")).toString())
                         + QStringLiteral(", ")
                         + PythonExport::stringLiteral(
                             binding.value(QStringLiteral("HostPort")).toString())
                         + QLatin1Char(')');
        }
        const QString value = pairs.size() == 1
                                  ? pairs.first()
                                  : QString(QLatin1Char('[') + pairs.join(QStringLiteral(", "))
                                            + QLatin1Char(']'));
        items << PythonExport::stringLiteral(it.key()) + QStringLiteral(": ") + value;
    }
    return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
}

} // namespace

QString PythonExport::script(const LaunchSpec &spec, bool detach, const ExportTarget &target)
{
    QStringList kwargs;
    const auto arg = [&kwargs](const char *name, const QString &literal) {
        kwargs << QStringLiteral("        ") + QLatin1String(name) + QLatin1Char('=') + literal
                      + QLatin1Char(',');
    };
    if (!spec.command.isEmpty())
        arg("command", listLiteral(spec.command));
    if (!spec.runtime.isEmpty())
        arg("runtime", stringLiteral(spec.runtime));
    if (spec.usesGpus())
        arg("device_requests", QLatin1Char('[') + deviceRequestLiteral(spec) + QLatin1Char(']'));
    if (!spec.env.isEmpty())
        arg("environment", listLiteral(spec.env));
    if (spec.tty)
        arg("tty", QStringLiteral("True"));
    if (spec.interactive)
        arg("stdin_open", QStringLiteral("True"));
    if (!spec.user.isEmpty())
        arg("user", stringLiteral(spec.user));
    if (!spec.workdir.isEmpty())
        arg("working_dir", stringLiteral(spec.workdir));
    if (spec.entrypoint)
        arg("entrypoint", listLiteral(*spec.entrypoint));
    if (!spec.ulimits.isEmpty()) {
        QStringList limits;
        for (const QJsonValue &limit : Ulimit::hostConfig(spec.ulimits)) {
            limits << QStringLiteral("docker.types.Ulimit(name=%1, soft=%2, hard=%3)")
                          .arg(stringLiteral(limit[QStringLiteral("Name")].toString()))
                          .arg(limit[QStringLiteral("Soft")].toInteger())
                          .arg(limit[QStringLiteral("Hard")].toInteger());
        }
        arg("ulimits", QLatin1Char('[') + limits.join(QStringLiteral(", ")) + QLatin1Char(']'));
    }
    if (!spec.containerName.isEmpty())
        arg("name", stringLiteral(spec.containerName));
    if (const auto bytes = ByteSize::ifSet(spec.shmSize))
        arg("shm_size", QString::number(*bytes));
    if (!spec.ipcMode.isEmpty())
        arg("ipc_mode", stringLiteral(spec.ipcMode));
    if (!spec.binds.isEmpty())
        arg("volumes", listLiteral(spec.binds));
    if (!spec.networkMode.isEmpty())
        arg("network_mode", stringLiteral(spec.networkMode));
    if (!spec.ports.isEmpty())
        arg("ports", portsLiteral(spec));
    if (detach && spec.autoRemove)
        arg("auto_remove", QStringLiteral("True"));
    arg("detach", QStringLiteral("True"));

    QString text = QStringLiteral(
        "#!/usr/bin/env python3\n"
        "# Exported by GPU Deck. Needs the Docker SDK for Python: apt install python3-docker\n"
        "# (or pip install docker).\n");
    if (spec.usesGpus() && target.dropsDeviceRequests())
        text += QStringLiteral("# Podman %1 drops the GPUs this script asks for (Podman before 5.4 "
                               "ignores the\n# SDK's device requests): the container would run "
                               "without them. Run it with podman:\n#   %2\n")
                    .arg(target.podmanVersion, DockerRunExport::podmanCommandLine(spec, detach));
    else if (spec.usesCdi())
        text += QStringLiteral(
            "# On Podman use podman run --device instead: Podman before 5.4 ignores the CDI\n"
            "# devices the SDK asks for, and the container would run without its GPUs.\n");
    text += QStringLiteral("import sys\n"
                           "\n"
                           "import docker\n"
                           "\n"
                           "\n"
                           "def main():\n"
                           "    client = docker.from_env()\n"
                           "    container = client.containers.run(\n"
                           "        %1,\n")
                .arg(stringLiteral(spec.image));
    text += kwargs.join(QLatin1Char('\n')) + QStringLiteral("\n    )\n");
    if (detach) {
        text += QStringLiteral("    print(container.id)\n"
                               "    return 0\n");
    } else {
        if (spec.autoRemove) {
            text += QStringLiteral("    # Removed here rather than with auto_remove=True: the "
                                   "daemon could delete the\n"
                                   "    # container before wait() and logs() reach it.\n");
        }
        // Foreground: like docker run, stdout and stderr go to their own streams.
        const QString body = QStringLiteral(
            "status = container.wait()[\"StatusCode\"]\n"
            "sys.stdout.buffer.write(container.logs(stdout=True, stderr=False))\n"
            "sys.stdout.buffer.flush()\n"
            "sys.stderr.buffer.write(container.logs(stdout=False, stderr=True))\n"
            "sys.stderr.buffer.flush()\n");
        const QString indent(spec.autoRemove ? 8 : 4, QLatin1Char(' '));
        if (spec.autoRemove)
            text += QStringLiteral("    try:\n");
        for (const QString &line : body.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            text += indent + line + QLatin1Char('\n');
        if (spec.autoRemove)
            text += QStringLiteral("    finally:\n"
                                   "        container.remove(force=True)\n");
        text += QStringLiteral("    return status\n");
    }
    text += QStringLiteral("\n\n"
                           "if __name__ == \"__main__\":\n"
                           "    sys.exit(main())\n");
    return text;
}
