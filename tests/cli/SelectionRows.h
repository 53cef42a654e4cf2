#pragma once

// The GPU selections every launch path is compared on (gpudeck run, the docker-run line, the
// Python script, the Compose file), with what the test image's stub nvidia-smi prints for each,
// and the engine-side facts the comparisons read.
#include "TestEngine.h"

#include "launch/LaunchSpec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

Q_DECLARE_METATYPE(LaunchSpec)

namespace SelectionRows {

inline const QString &image()
{
    static const QString name = QStringLiteral("gpudeck-test:latest");
    return name;
}

// Columns "spec" (LaunchSpec) and "expected" (QByteArray: the stub nvidia-smi's output).
inline void add()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<QByteArray>("expected");

    const auto spec = [](GpuSelection gpus, QStringList caps, QString runtime) {
        LaunchSpec s;
        s.image = image();
        s.command = {QStringLiteral("nvidia-smi")};
        s.gpus = gpus;
        s.capabilities = caps;
        s.runtime = runtime;
        s.autoRemove = false; // kept for docker inspect
        s.networkMode = QStringLiteral("none");
        return s;
    };
    QTest::newRow("seed: runtime nvidia, all GPUs, [gpu]")
        << spec(GpuSelection::all(), {}, QStringLiteral("nvidia"))
        << QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("seed: device 0, [gpu]")
        << spec(GpuSelection::ofDevices({QStringLiteral("0")}), {}, {})
        << QByteArray("NVIDIA_VISIBLE_DEVICES=0\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("seed: all GPUs, [gpu, compute, utility]")
        << spec(GpuSelection::all(), {QStringLiteral("compute"), QStringLiteral("utility")}, {})
        << QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=compute,utility\n");
    QTest::newRow("devices 1 and 3, graphics")
        << spec(GpuSelection::ofDevices({QStringLiteral("1"), QStringLiteral("3")}),
                {QStringLiteral("graphics")}, QStringLiteral("nvidia"))
        << QByteArray("NVIDIA_VISIBLE_DEVICES=1,3\nNVIDIA_DRIVER_CAPABILITIES=graphics\n");
    QTest::newRow("count 2") << spec(GpuSelection::ofCount(2), {}, {})
                             << QByteArray(
                                    "NVIDIA_VISIBLE_DEVICES=0,1\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("a GPU UUID") << spec(GpuSelection::ofDevices({QStringLiteral(
                                            "GPU-6bd9a9a1-5c4f-1e7b-3c1e-2f3b4c5d6e7f")}),
                                        {}, {})
                                << QByteArray("NVIDIA_VISIBLE_DEVICES=GPU-6bd9a9a1-5c4f-1e7b-3c1e-"
                                              "2f3b4c5d6e7f\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("no GPUs") << spec(GpuSelection::none(), {}, {})
                             << QByteArray(
                                    "NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\n");
}

// `docker inspect NAME` on the test engine; empty when there is no such container.
inline QJsonObject inspect(const QString &name)
{
    const TestEngine::CliResult cli = TestEngine::docker({QStringLiteral("inspect"), name});
    if (cli.exitCode != 0)
        return {};
    return QJsonDocument::fromJson(cli.out).array().at(0).toObject();
}

// DeviceRequests as the engine stored them, with the spellings of "nothing" made equal.
inline QJsonArray normalizedRequests(const QJsonObject &inspected)
{
    QJsonArray out;
    const QJsonArray requests = inspected.value(QStringLiteral("HostConfig"))
                                    .toObject()
                                    .value(QStringLiteral("DeviceRequests"))
                                    .toArray();
    for (const QJsonValue &value : requests) {
        QJsonObject request = value.toObject();
        for (const QString &key : request.keys()) {
            const QJsonValue v = request.value(key);
            if (v.isNull() || (v.isArray() && v.toArray().isEmpty())
                || (v.isObject() && v.toObject().isEmpty()))
                request.remove(key);
        }
        out.append(request);
    }
    return out;
}

inline QJsonValue runtimeOf(const QJsonObject &inspected)
{
    return inspected.value(QStringLiteral("HostConfig")).toObject().value(QStringLiteral("Runtime"));
}

inline void removeContainer(const QString &name)
{
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), name});
}

} // namespace SelectionRows
