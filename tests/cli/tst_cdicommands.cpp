// The headless commands on the engines that take GPUs as CDI devices: trixie's Docker 26 with CDI
// on (cli_cdi) and bookworm's Podman 4.3 (cli_cdi.podman). `gpus --json` lists the engine's CDI
// devices without any GPU driver; the doctor names the engine and checks its specs against the
// host's GPUs (the fake NVML's, which no spec here names: the stale-spec failure); `run` of a CDI
// preset prints what the engine's own CLI running the docker-run or podman-run export prints; a
// GPU without a CDI device is refused with 125; published ports (the preset's and -p) are the ones
// the engine's own CLI makes, and answer. The Python and Compose exports of a preset with the
// automatic device driver know the engine: on Podman 4.3 they say it drops their GPUs and give
// the podman command, which the engine's own CLI runs with the GPUs. A 0.7.0 spec is read by Docker
// 26.1 and newer; on Podman 4.3 (an engine of the test's own, with a spec directory of its own)
// the engine refuses its device and the doctor fails with the fix.
#include "DoctorReport.h"
#include "HttpGet.h"
#include "SelectionRows.h"
#include "TestEngine.h"

#include "common/ShellWords.h"
#include "engine/CdiSpecVersions.h"
#include "launch/DockerRunExport.h"
#include "launch/LaunchSpec.h"
#include "launch/PortMapping.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

QJsonObject inspect(const QString &container)
{
    const TestEngine::CliResult cli = TestEngine::engineCli({QStringLiteral("inspect"), container});
    return cli.exitCode == 0 ? QJsonDocument::fromJson(cli.out).array().at(0).toObject()
                             : QJsonObject();
}

void removeContainer(const QString &container)
{
    TestEngine::engineCli({QStringLiteral("rm"), QStringLiteral("-f"), container});
}

// What the stub nvidia-smi prints for a launch given exactly these CDI devices.
QByteArray cdiOutput(const QStringList &names)
{
    return "NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\nCDI_DEVICES="
           + names.join(QLatin1Char(' ')).toUtf8() + '\n';
}

// A spec of one device, gpudeck.test/v07=x, at the given cdiVersion.
QByteArray testSpec(const char *version)
{
    return QByteArray(R"({"cdiVersion": ")") + version
           + R"(", "kind": "gpudeck.test/v07", "devices": [{"name": "x",)"
             R"( "containerEdits": {"env": ["GPUDECK_V07=read"], "deviceNodes":)"
             R"( [{"path": "/dev/gpudeck-v07", "hostPath": "/dev/null"}]}}]})";
}

} // namespace

class TestCdiCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void gpusListsCdiDevicesWithoutDriver();
    void doctorNamesTheEngineAndItsSpecs();
    void doctorFindsAStaleSpec();
    void runMatchesTheEnginesCli();
    void gpuWithoutCdiDeviceIs125();
    void publishedPortsAnswer();
    void composeRunsTheCdiLaunch();
    void doctorReadsSpecVersion07();
    void exportsKnowTheEngine_data();
    void exportsKnowTheEngine();

private:
    // Podman 4.3 cannot read a 0.7.0 spec: the engine of the test's own refuses the device, and
    // the doctor fails with the fix.
    void podman43IgnoresSpecVersion07();
    QString writePreset(const QString &name, const LaunchSpec &spec);
    // gpudeck with the test's preset directory (or presetDir), and the fake NVML's two GPUs or
    // no GPU driver at all.
    TestEngine::CliResult gpudeck(const QStringList &args, bool fakeGpus = false,
                                  const QString &presetDir = {});
    // The devices this engine's test specs define, name -> the spec file defining it.
    QMap<QString, QString> expectedDevices() const;
    // A GPU as the user ticks it here: an index on Docker 26, a UUID on Podman (whose spec file
    // shares /var/run/cdi with others, so its names are unique).
    QString gpu(int i) const;

    QTemporaryDir m_dir;
    QTemporaryDir m_emptyPresets;
};

void TestCdiCommands::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY2(TestEngine::hasCdi(),
             "cli_cdi runs against the CDI engines (fixtures cdi-engine, podman)");
    QVERIFY(m_dir.isValid());
    QVERIFY(m_emptyPresets.isValid());
    QDir(m_dir.path()).mkpath(QStringLiteral("presets"));
}

QString TestCdiCommands::writePreset(const QString &name, const LaunchSpec &spec)
{
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    const Result<void> written = PresetStore::writeFile(path, Preset(name, spec).toFileBytes());
    return written ? path : QString();
}

TestEngine::CliResult TestCdiCommands::gpudeck(const QStringList &args, bool fakeGpus,
                                               const QString &presetDir)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"),
               presetDir.isEmpty() ? m_dir.filePath(QStringLiteral("presets")) : presetDir);
    if (fakeGpus) {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
        env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    } else {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
                   QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
        env.insert(QStringLiteral("PATH"), QStringLiteral("/nonexistent")); // no nvidia-smi either
    }
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

QMap<QString, QString> TestCdiCommands::expectedDevices() const
{
    QMap<QString, QString> devices;
    if (TestEngine::isPodman()) {
        QFile spec(qEnvironmentVariable("GPUDECK_TEST_PODMAN_DIR") + QStringLiteral("/cdi-spec"));
        const QString file = spec.open(QIODevice::ReadOnly)
                                 ? QString::fromUtf8(spec.readAll().trimmed())
                                 : QString();
        for (const QString &uuid : TestEngine::podmanGpuUuids())
            devices.insert(QStringLiteral("nvidia.com/gpu=") + uuid, file);
        return devices;
    }
    const QString dir = qEnvironmentVariable("GPUDECK_TEST_CDI_DIR");
    devices.insert(QStringLiteral("nvidia.com/gpu=0"), dir + QStringLiteral("/gpudeck-test.json"));
    devices.insert(QStringLiteral("nvidia.com/gpu=all"),
                   dir + QStringLiteral("/gpudeck-test.json"));
    devices.insert(QStringLiteral("nvidia.com/gpu=1"), dir + QStringLiteral("/gpudeck-test.yaml"));
    devices.insert(QStringLiteral("nvidia.com/gpu=GPU-6bd9c3a4-0000-4000-8000-000000000001"),
                   dir + QStringLiteral("/gpudeck-test.yaml"));
    return devices;
}

QString TestCdiCommands::gpu(int i) const
{
    return TestEngine::isPodman() ? TestEngine::podmanGpuUuids().value(i) : QString::number(i);
}

void TestCdiCommands::gpusListsCdiDevicesWithoutDriver()
{
    const TestEngine::CliResult gpus = gpudeck({QStringLiteral("gpus"), QStringLiteral("--json")});
    QCOMPARE(gpus.exitCode, 1); // no GPU can be read: no driver
    const QJsonObject report = QJsonDocument::fromJson(gpus.out).object();
    QVERIFY2(!report.contains(QStringLiteral("cdiError")), gpus.out.constData());
    QMap<QString, QString> listed;
    for (const QJsonValue &device : report.value(QStringLiteral("cdiDevices")).toArray())
        listed.insert(device[QStringLiteral("name")].toString(),
                      device[QStringLiteral("source")].toString());
    const QMap<QString, QString> expected = expectedDevices();
    QVERIFY(!expected.isEmpty());
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        QCOMPARE(listed.value(it.key()), it.value());
    // Docker 26 reads only its own spec directory; Podman also every other spec in /var/run/cdi.
    if (!TestEngine::isPodman())
        QCOMPARE(listed.size(), expected.size());

    // The table says the same, after the reason the GPUs cannot be read.
    const TestEngine::CliResult table = gpudeck({QStringLiteral("gpus")});
    QCOMPARE(table.exitCode, 1);
    QVERIFY2(table.out.contains("CDI devices of the engine:"), table.out.constData());
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        QVERIFY2(table.out.contains(
                     QByteArray(it.key().toUtf8() + "  (" + it.value().toUtf8() + ')')),
                 table.out.constData());
}

void TestCdiCommands::doctorNamesTheEngineAndItsSpecs()
{
    const TestEngine::CliResult run = gpudeck({QStringLiteral("doctor"), QStringLiteral("--json")},
                                              false, m_emptyPresets.path());
    const QJsonObject report = QJsonDocument::fromJson(run.out).object();
    QVERIFY2(run.exitCode != 0, run.out.constData()); // the driver line fails: no driver
    const QString product = TestEngine::isPodman() ? QStringLiteral("Podman 4.3.")
                            : TestEngine::kind() == QLatin1String("docker28")
                                ? QStringLiteral("Docker 28.")
                                : QStringLiteral("Docker 26.");
    const QJsonObject engine = checkById(report, QStringLiteral("engine"));
    QCOMPARE(engine.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
    QVERIFY2(engine.value(QStringLiteral("detail")).toString().startsWith(product),
             run.out.constData());

    // CDI on, its spec files and devices named; not compared with GPUs that cannot be read.
    const QJsonObject cdi = checkById(report, QStringLiteral("cdi"));
    QCOMPARE(cdi.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
    const QString detail = cdi.value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.startsWith(QStringLiteral("CDI is on in ") + product), qPrintable(detail));
    QVERIFY2(detail.contains(QLatin1String("could not be read")), qPrintable(detail));
    const QMap<QString, QString> expected = expectedDevices();
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        QVERIFY2(detail.contains(it.key()), qPrintable(detail));
        QVERIFY2(detail.contains(it.value()), qPrintable(detail));
    }

    if (TestEngine::isPodman()) {
        // Podman's GPUs are its CDI devices: no probe, no "nvidia" runtime.
        const QJsonObject request = checkById(report, QStringLiteral("gpu-request"));
        QCOMPARE(request.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
        QVERIFY2(request.value(QStringLiteral("detail")).toString().contains(expected.firstKey()),
                 run.out.constData());
        QCOMPARE(
            checkById(report, QStringLiteral("runtime")).value(QStringLiteral("status")).toString(),
            QStringLiteral("skip"));
    }
}

void TestCdiCommands::doctorFindsAStaleSpec()
{
    // The fake NVML's GPUs have UUIDs that none of the specs here names: a spec left behind by a
    // driver upgrade or a swapped card. Without a CDI preset on Docker that warns; with one (and
    // always on Podman, whose GPUs are CDI devices) it fails, with nvidia-ctk's fix.
    const QString staleUuid = TestEngine::isPodman()
                                  ? gpu(0)
                                  : QStringLiteral("GPU-6bd9c3a4-0000-4000-8000-000000000001");
    const auto cdiCheck = [this](const QString &presets) {
        const TestEngine::CliResult run = gpudeck({QStringLiteral("doctor"),
                                                   QStringLiteral("--json")},
                                                  true, presets);
        return std::make_pair(run.exitCode, checkById(QJsonDocument::fromJson(run.out).object(),
                                                      QStringLiteral("cdi")));
    };

    const auto [code, cdi] = cdiCheck(m_emptyPresets.path());
    QCOMPARE(cdi.value(QStringLiteral("status")).toString(),
             TestEngine::isPodman() ? QStringLiteral("fail") : QStringLiteral("warn"));
    const QString detail = cdi.value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.contains(QLatin1String("stale")) && detail.contains(staleUuid),
             qPrintable(detail));
    QVERIFY2(detail.contains(QLatin1String("GPU-00000000-0000-0000-0000-000000000000")),
             qPrintable(detail)); // the host's, missing
    QCOMPARE(cdi.value(QStringLiteral("command")).toString(),
             QStringLiteral("sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml"));
    QCOMPARE(code != 0, TestEngine::isPodman());

    if (!TestEngine::isPodman()) {
        QTemporaryDir presets;
        LaunchSpec spec;
        spec.image = kImage;
        spec.deviceDriver = QStringLiteral("cdi");
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
        QVERIFY(PresetStore::writeFile(presets.filePath(QStringLiteral("cdi.json")),
                                       Preset(QStringLiteral("cdi"), spec).toFileBytes())
                    .ok());
        const auto [codeWithPreset, cdiWithPreset] = cdiCheck(presets.path());
        QCOMPARE(cdiWithPreset.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
        QVERIFY(codeWithPreset != 0);
    }
}

void TestCdiCommands::runMatchesTheEnginesCli()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = GpuSelection::ofDevices({gpu(0), gpu(1)});
    // The stub prints the devices' names sorted.
    const QByteArray expected = cdiOutput(
        {QStringLiteral("nvidia.com/gpu=") + gpu(0), QStringLiteral("nvidia.com/gpu=") + gpu(1)});

    const TestEngine::CliResult ours = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                                writePreset(QStringLiteral("cdi run"), spec)});
    QVERIFY2(ours.exitCode == 0, ours.err.constData());
    QCOMPARE(ours.out, expected);
    QCOMPARE(ours.err, QByteArray());

    // The export for this engine, run by its own CLI: docker run --device ..., podman run --device ...
    QStringList words = TestEngine::isPodman() ? DockerRunExport::podmanArguments(spec, false)
                                               : DockerRunExport::arguments(spec, false);
    QVERIFY2(
        words.join(QLatin1Char(' ')).contains(QStringLiteral("--device nvidia.com/gpu=") + gpu(1)),
        qPrintable(words.join(QLatin1Char(' '))));
    const TestEngine::CliResult theirs = TestEngine::engineCli(words.mid(1));
    QVERIFY2(theirs.exitCode == 0, theirs.err.constData());
    QCOMPARE(theirs.out, expected);
}

void TestCdiCommands::gpuWithoutCdiDeviceIs125()
{
    const QString missing = QStringLiteral("GPU-00000000-dead-4000-8000-000000000099");
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = false;
    spec.containerName =
        QStringLiteral("gpudeck-cdi-missing-%1").arg(QCoreApplication::applicationPid());
    spec.gpus = GpuSelection::ofDevices({gpu(0), missing});
    if (!TestEngine::isPodman())
        spec.deviceDriver = QStringLiteral("cdi"); // on Podman every GPU is a CDI device anyway
    const auto cleanup = qScopeGuard([&spec]() { removeContainer(spec.containerName); });

    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("cdi missing"), spec)});
    QCOMPARE(run.exitCode, 125);
    QCOMPARE(run.out, QByteArray()); // the container never ran
    QVERIFY2(run.err.contains(QByteArray("nvidia.com/gpu=" + missing.toUtf8())),
             run.err.constData());
    QVERIFY2(run.err.contains("nvidia-ctk cdi generate"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(!run.err.contains('{'), run.err.constData());
    // Nothing is left: Podman on this host refuses before create; Docker creates the container,
    // refuses to start it, and gpudeck removes it.
    QTRY_VERIFY_WITH_TIMEOUT(inspect(spec.containerName).isEmpty(), 10000);
}

void TestCdiCommands::publishedPortsAnswer()
{
    // Podman publishes on its default bridge network (the test service's containers.conf makes
    // "none" the default, so the preset names "bridge"); the sandboxed Docker 26 has no default
    // bridge, so the test makes one.
    const QString base = QStringLiteral("gpudeck-cdi-p-%1").arg(QCoreApplication::applicationPid());
    QString network = QStringLiteral("bridge");
    if (!TestEngine::isPodman()) {
        network = base;
        const QByteArray problem = TestEngine::createNetwork(network);
        QVERIFY2(problem.isEmpty(), problem.constData());
    }
    const QString ours = base + QStringLiteral("-gpudeck");
    const QString theirs = base + QStringLiteral("-cli");
    const auto cleanup = qScopeGuard([&]() {
        removeContainer(ours);
        removeContainer(theirs);
        if (network != QLatin1String("bridge"))
            TestEngine::engineCli({QStringLiteral("network"), QStringLiteral("rm"), network});
    });

    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("mkdir -p /www && echo published on %1 > /www/index.html && "
                                   "exec httpd -f -p 8080 -h /www")
                        .arg(TestEngine::kind())};
    spec.autoRemove = false;
    spec.networkMode = network;
    spec.ports = {QStringLiteral("127.0.0.1::8080")};
    spec.containerName = ours;
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--detach"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("ports"), spec), QStringLiteral("-p"),
         QStringLiteral("127.0.0.1::5353/udp")});
    QVERIFY2(run.exitCode == 0, run.err.constData());

    const TestEngine::CliResult created = TestEngine::engineCli(
        {QStringLiteral("create"), QStringLiteral("--name"), theirs, QStringLiteral("--network"),
         network, QStringLiteral("-p"), QStringLiteral("127.0.0.1::8080"), QStringLiteral("-p"),
         QStringLiteral("127.0.0.1::5353/udp"), kImage, QStringLiteral("true")});
    QVERIFY2(created.exitCode == 0, created.err.constData());
    // The host ports are the engine's pick (Podman picks at create), so compare the rest.
    const auto bindings = [](const QJsonObject &o) {
        QJsonObject out;
        const QJsonObject ports =
            o[QStringLiteral("HostConfig")][QStringLiteral("PortBindings")].toObject();
        for (auto it = ports.constBegin(); it != ports.constEnd(); ++it) {
            QStringList addresses;
            for (const QJsonValue &binding : it.value().toArray())
                addresses << binding[QStringLiteral("HostIp")].toString();
            out.insert(it.key(), QJsonArray::fromStringList(addresses));
        }
        return out;
    };
    const QJsonObject a = inspect(ours);
    const QJsonObject b = inspect(theirs);
    QCOMPARE(bindings(a).keys(),
             (QStringList{QStringLiteral("5353/udp"), QStringLiteral("8080/tcp")}));
    QCOMPARE(bindings(a), bindings(b));

    int hostPort = 0;
    for (const PortMappings::Published &p : PortMappings::fromInspect(a)) {
        if (p.containerPort == 8080 && p.protocol == QLatin1String("tcp")
            && p.hostIp == QLatin1String("127.0.0.1"))
            hostPort = p.hostPort;
    }
    QVERIFY2(hostPort > 0, QJsonDocument(a).toJson().constData());
    const QByteArray page = httpGet(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(hostPort)),
                                    30000);
    QVERIFY2(page.contains(QByteArray("published on " + TestEngine::kind().toUtf8())),
             page.constData());
}

// The Compose export of a CDI launch, run against this engine: on Docker by the real docker
// compose (Debian sid's 2.x), whose container sees the same devices as gpudeck's own launch of the
// preset, the engine having got the same device requests (Driver "cdi" and the names). Podman 4.3
// ignores those requests on its Docker-compatible create, so a GPU would be lost there, as the
// export's header says: on Podman the file runs with Debian's podman-compose, which passes the
// devices as `podman run --device`.
void TestCdiCommands::composeRunsTheCdiLaunch()
{
    const QString tools = qEnvironmentVariable("GPUDECK_TEST_TOOLS_DIR");
    QVERIFY2(QFile::exists(tools + QStringLiteral("/bin/docker-compose")),
             "docker compose is missing: tests/scripts/test-tools.sh did not fetch it");
    const QString base =
        QStringLiteral("gpudeck-cdi-compose-%1").arg(QCoreApplication::applicationPid());
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    // podman-compose 1.0.3 adds its project network even to a service with network_mode none
    if (!TestEngine::isPodman())
        spec.networkMode = QStringLiteral("none");
    spec.autoRemove = false; // kept for inspect
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = GpuSelection::ofDevices({gpu(0), gpu(1)});
    const QByteArray expected = cdiOutput(
        {QStringLiteral("nvidia.com/gpu=") + gpu(0), QStringLiteral("nvidia.com/gpu=") + gpu(1)});

    LaunchSpec ours = spec;
    ours.containerName = base + QStringLiteral("-gpudeck");
    LaunchSpec theirs = spec;
    theirs.containerName = base + QStringLiteral("-compose");
    QTemporaryDir composeDir;
    QVERIFY(composeDir.isValid());
    QProcessEnvironment env = TestEngine::localCliEnvironment();
    env.insert(QStringLiteral("DOCKER_CONFIG"), composeDir.path());
    const QStringList project = {QStringLiteral("-p"), base};
    const QString file = composeDir.filePath(QStringLiteral("compose.yml"));
    const auto dockerCompose = [&](const QStringList &args) {
        return TestEngine::runProgram(tools + QStringLiteral("/bin/docker-compose"),
                                      QStringList{QStringLiteral("-f"), file} + project + args, env,
                                      120000);
    };
    // podman-compose runs the podman CLI; this one reaches the test's Podman service.
    const QString podman = composeDir.filePath(QStringLiteral("podman"));
    const auto podmanCompose = [&](const QStringList &args) {
        return TestEngine::runProgram(QStringLiteral("/usr/bin/podman-compose"),
                                      QStringList{QStringLiteral("--podman-path"), podman,
                                                  QStringLiteral("-f"), file}
                                          + project + args,
                                      {}, 120000);
    };
    const auto cleanup = qScopeGuard([&]() {
        removeContainer(ours.containerName);
        removeContainer(theirs.containerName);
        dockerCompose({QStringLiteral("down")});
        if (TestEngine::isPodman())
            TestEngine::engineCli({QStringLiteral("network"), QStringLiteral("rm"),
                                   QStringLiteral("-f"), base + QStringLiteral("_default")});
    });

    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), writePreset(ours.containerName, ours)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, expected);

    const TestEngine::CliResult shown = gpudeck({QStringLiteral("preset"), QStringLiteral("show"),
                                                 writePreset(theirs.containerName, theirs),
                                                 QStringLiteral("--format"),
                                                 QStringLiteral("compose")});
    QVERIFY2(shown.exitCode == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("podman-compose"), shown.out.constData());
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(shown.out), shown.out.size());
    out.close();
    const TestEngine::CliResult up = dockerCompose(
        {QStringLiteral("up"), QStringLiteral("--no-color")});
    QVERIFY2(up.exitCode == 0, QByteArray(up.out + up.err).constData());
    const TestEngine::CliResult logs = TestEngine::engineCli(
        {QStringLiteral("logs"), theirs.containerName});
    if (!TestEngine::isPodman()) {
        QCOMPARE(logs.out, expected);
        const QJsonObject a = inspect(ours.containerName);
        const QJsonObject b = inspect(theirs.containerName);
        QVERIFY(!a.isEmpty());
        QVERIFY(!b.isEmpty());
        QCOMPARE(SelectionRows::normalizedRequests(b), SelectionRows::normalizedRequests(a));
        return;
    }

    // Podman: docker compose's request is dropped; podman-compose gets the devices through.
    QVERIFY2(!logs.out.contains("CDI_DEVICES=nvidia.com"), logs.out.constData());
    removeContainer(theirs.containerName);
    QFile wrapper(podman);
    QVERIFY(wrapper.open(QIODevice::WriteOnly));
    wrapper.write("#!/bin/sh\nexec /usr/bin/podman --url '" + TestEngine::dockerHost().toUtf8()
                  + "' \"$@\"\n");
    wrapper.close();
    QVERIFY(wrapper.setPermissions(wrapper.permissions() | QFileDevice::ExeOwner));
    const TestEngine::CliResult podmanUp = podmanCompose({QStringLiteral("up")});
    QVERIFY2(podmanUp.exitCode == 0, QByteArray(podmanUp.out + podmanUp.err).constData());
    QCOMPARE(TestEngine::engineCli({QStringLiteral("logs"), theirs.containerName}).out, expected);
}

QTEST_GUILESS_MAIN(TestCdiCommands)
void TestCdiCommands::doctorReadsSpecVersion07()
{
    // The NVIDIA Container Toolkit 1.19 writes cdiVersion 0.7.0. Docker 26.1 and newer read it:
    // the engine injects the device, and the doctor's CDI line passes with the file named.
    if (TestEngine::isPodman()) {
        podman43IgnoresSpecVersion07();
        return;
    }
    const QString file = qEnvironmentVariable("GPUDECK_TEST_CDI_DIR")
                         + QStringLiteral("/gpudeck-v07.json");
    QFile spec(file);
    QVERIFY(spec.open(QIODevice::WriteOnly));
    spec.write(testSpec("0.7.0"));
    spec.close();
    const auto removeSpec = qScopeGuard([&] { QFile::remove(file); });

    const TestEngine::CliResult engineRun = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
         QStringLiteral("none"), QStringLiteral("--device"), QStringLiteral("gpudeck.test/v07=x"),
         kImage, QStringLiteral("env")});
    QVERIFY2(engineRun.exitCode == 0, engineRun.err.constData());
    QVERIFY2(engineRun.out.contains("GPUDECK_V07=read"), engineRun.out.constData());

    const TestEngine::CliResult run = gpudeck({QStringLiteral("doctor"), QStringLiteral("--json")},
                                              false, m_emptyPresets.path());
    const QJsonObject cdi = checkById(QJsonDocument::fromJson(run.out).object(),
                                      QStringLiteral("cdi"));
    QCOMPARE(cdi.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
    const QString detail = cdi.value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.contains(file) && detail.contains(QLatin1String("gpudeck.test/v07=x")),
             qPrintable(detail));
    QVERIFY2(!detail.contains(QLatin1String("ignores")), qPrintable(detail));
}

void TestCdiCommands::podman43IgnoresSpecVersion07()
{
    // Podman 4.3 reads specs only from /etc/cdi and /var/run/cdi, which the Podman fixtures share
    // while the suite runs. So a Podman 4.3 of this test's own runs in a mount namespace where
    // /var/run/cdi is the test's directory (and /dev/shm its own, for Podman's locks), and the
    // doctor runs in one with the same /var/run/cdi.
    QTemporaryDir own;
    QVERIFY(own.isValid());
    const QString cdiDir = own.filePath(QStringLiteral("cdi"));
    const QString engineDir = own.filePath(QStringLiteral("engine"));
    QVERIFY(QDir().mkpath(cdiDir));
    const auto writeSpec = [&](const char *version) {
        QFile spec(cdiDir + QStringLiteral("/gpudeck-v07.json"));
        return spec.open(QIODevice::WriteOnly) && spec.write(testSpec(version)) > 0;
    };
    QVERIFY(writeSpec("0.7.0"));
    const QStringList inNamespace = {
        QStringLiteral("/usr/bin/unshare"),
        QStringLiteral("--mount"),
        QStringLiteral("--propagation"),
        QStringLiteral("private"),
        QStringLiteral("sh"),
        QStringLiteral("-c"),
        QStringLiteral("set -e; mkdir -p /var/run/cdi; mount --bind \"$1\" /var/run/cdi; "
                       "mount -t tmpfs tmpfs /dev/shm; shift; exec \"$@\""),
        QStringLiteral("sh"),
        cdiDir};
    const auto stop = qScopeGuard([&] { TestEngine::stopOwnPodman(engineDir); });
    const TestEngine::CliResult started = TestEngine::startOwnPodman(engineDir, inNamespace);
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const QString host = QString::fromUtf8(started.out.trimmed().split('\n').last());
    QVERIFY2(host.startsWith(QLatin1String("unix://")), qPrintable(host));

    // The engine itself: the device of the 0.7.0 spec is unresolvable; the same spec at 0.5.0
    // is read.
    const auto engineRun = [&] {
        return TestEngine::runProgram(QStringLiteral("/usr/bin/podman"),
                                      {QStringLiteral("--url"), host, QStringLiteral("run"),
                                       QStringLiteral("--rm"), QStringLiteral("--network"),
                                       QStringLiteral("none"), QStringLiteral("--device"),
                                       QStringLiteral("gpudeck.test/v07=x"), kImage,
                                       QStringLiteral("env")},
                                      {}, 120000);
    };
    const TestEngine::CliResult refused = engineRun();
    QVERIFY2(refused.exitCode != 0, refused.out.constData());
    QVERIFY2(refused.err.contains("unresolvable CDI devices gpudeck.test/v07=x"),
             refused.err.constData());
    const auto doctor = [&] {
        QProcessEnvironment env;
        env.insert(QStringLiteral("DOCKER_HOST"), host);
        env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_emptyPresets.path());
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
                   QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
        const TestEngine::CliResult run = TestEngine::runProgram(
            inNamespace.first(),
            inNamespace.mid(1)
                + QStringList{QStringLiteral(GPUDECK_BINARY), QStringLiteral("doctor"),
                              QStringLiteral("--json")},
            env, 120000);
        return checkById(QJsonDocument::fromJson(run.out).object(), QStringLiteral("cdi"));
    };
    const QJsonObject cdi = doctor();
    QCOMPARE(cdi.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    const QString detail = cdi.value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.contains(QLatin1String("Podman 4.3."))
                 && detail.contains(
                     QLatin1String("ignores /var/run/cdi/gpudeck-v07.json (cdiVersion 0.7.0)")),
             qPrintable(detail));
    QVERIFY2(cdi.value(QStringLiteral("fix")).toString().contains(QLatin1String("Podman 5.1")),
             qPrintable(cdi.value(QStringLiteral("fix")).toString()));
    QCOMPARE(cdi.value(QStringLiteral("command")).toString(),
             QString::fromLatin1(CdiSpecVersions::kGenerateOlderSpec));

    // 0.6.0 is past Podman 4.3 too (its CDI library reads up to 0.5.0; Podman 4.6 reads 0.6.0).
    QVERIFY(writeSpec("0.6.0"));
    const TestEngine::CliResult refused06 = engineRun();
    QVERIFY2(refused06.exitCode != 0, refused06.out.constData());
    const QString detail06 = doctor().value(QStringLiteral("detail")).toString();
    QVERIFY2(detail06.contains(QLatin1String("up to version 0.5.0"))
                 && detail06.contains(QLatin1String("(cdiVersion 0.6.0)")),
             qPrintable(detail06));

    QVERIFY(writeSpec("0.5.0"));
    const TestEngine::CliResult read = engineRun();
    QVERIFY2(read.exitCode == 0, read.err.constData());
    QVERIFY2(read.out.contains("GPUDECK_V07=read"), read.out.constData());
    const QString after = doctor().value(QStringLiteral("detail")).toString();
    QVERIFY2(after.contains(QLatin1String("gpudeck.test/v07=x"))
                 && !after.contains(QLatin1String("ignores")),
             qPrintable(after));
}

void TestCdiCommands::exportsKnowTheEngine_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("python") << QStringLiteral("python");
    QTest::newRow("compose") << QStringLiteral("compose");
}

void TestCdiCommands::exportsKnowTheEngine()
{
    QFETCH(QString, format);
    // The automatic device driver: the Docker SDK's and docker compose's GPU request, which
    // Podman before 5.4 drops on its Docker-compatible create.
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.gpus = GpuSelection::ofDevices({gpu(0)});
    const TestEngine::CliResult shown = gpudeck({QStringLiteral("preset"), QStringLiteral("show"),
                                                 writePreset(QStringLiteral("automatic"), spec),
                                                 QStringLiteral("--format"), format});
    QVERIFY2(shown.exitCode == 0, shown.err.constData());
    QCOMPARE(shown.err, QByteArray()); // the engine answered
    const QString text = QString::fromUtf8(shown.out);
    const bool oldPodman = TestEngine::kind() == QLatin1String("podman"); // 4.3
    const QString podmanLine = DockerRunExport::podmanCommandLine(spec, false);
    QCOMPARE(text.contains(QLatin1String(" drops the GPUs")), oldPodman);
    QCOMPARE(text.contains(QStringLiteral("#   ") + podmanLine), oldPodman);
    if (!oldPodman)
        return;
    QVERIFY2(text.contains(QRegularExpression(QStringLiteral("^# Podman 4\\.\\d+\\.\\d+ drops the "
                                                             "GPUs"),
                                              QRegularExpression::MultilineOption)),
             qPrintable(text));

    // The podman command it offers, run by the engine's own CLI, hands the GPU over.
    const Result<QStringList> words = ShellWords::split(podmanLine);
    QVERIFY2(words && words.value().size() > 2, qPrintable(podmanLine));
    QCOMPARE(words.value().first(), QStringLiteral("podman"));
    const TestEngine::CliResult ran = TestEngine::engineCli(words.value().mid(1));
    QVERIFY2(ran.exitCode == 0, ran.err.constData());
    QCOMPARE(ran.out, cdiOutput({QStringLiteral("nvidia.com/gpu=") + gpu(0)}));
}

#include "tst_cdicommands.moc"
