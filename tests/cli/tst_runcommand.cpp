// `gpudeck run --preset` against the real engine: each GPU selection launched by gpudeck, by the
// exported docker-run line (run by the real docker CLI through sh) and by the exported Python
// script (Debian's python3-docker), compared on what the stub nvidia-smi printed and on
// `docker inspect` HostConfig.DeviceRequests and Runtime. Exit codes and byte-exact output too;
// -p/--publish against the docker CLI's own -p and a real GET through the published port.
#include "HttpGet.h"
#include "SelectionRows.h"
#include "TestEngine.h"

#include "launch/DockerRunExport.h"
#include "launch/PortMapping.h"
#include "launch/PythonExport.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kImage = SelectionRows::image();
using SelectionRows::inspect;
using SelectionRows::normalizedRequests;
using SelectionRows::removeContainer;

} // namespace

class TestRunCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void selections_data();
    void selections();
    void exitCodeIsTheContainers();
    void outputIsByteExact();
    void autoRemoveLeavesNothing();
    void missingImageIs125();
    void commandFailuresExitAsDockerRun_data();
    void commandFailuresExitAsDockerRun();
    void badUsageIs2();
    void detachPrintsTheId();
    void publishAddsToThePresetsPorts();
    void badPublishIsRefused();

private:
    QString writePreset(const QString &name, const LaunchSpec &spec);
    TestEngine::CliResult gpudeck(const QStringList &args);

    QTemporaryDir m_dir;
    QString m_binDir; // docker on PATH is Debian's client, as the sandboxed engine is Debian's
};

void TestRunCommand::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).mkpath(QStringLiteral("presets"));
    QDir(m_dir.path()).mkpath(QStringLiteral("bin"));
    m_binDir = m_dir.filePath(QStringLiteral("bin"));
    QVERIFY(QFile::link(QStringLiteral("/usr/bin/docker"), m_binDir + QStringLiteral("/docker")));
    // podman on PATH reaches the test's Podman service, as a remote client.
    QFile podman(m_binDir + QStringLiteral("/podman"));
    QVERIFY(podman.open(QIODevice::WriteOnly));
    // Podman 5.8 brings its own (GPUDECK_TEST_PODMAN_CLI): the host's 4.3 is too old a client.
    const QByteArray ownCli = qEnvironmentVariable("GPUDECK_TEST_PODMAN_CLI").toUtf8();
    podman.write(ownCli.isEmpty() ? QByteArray("#!/bin/sh\nexec /usr/bin/podman --url '"
                                               + TestEngine::dockerHost().toUtf8() + "' \"$@\"\n")
                                  : QByteArray("#!/bin/sh\nexec '" + ownCli + "' \"$@\"\n"));
    podman.close();
    QVERIFY(podman.setPermissions(podman.permissions() | QFileDevice::ExeOwner));
}

QString TestRunCommand::writePreset(const QString &name, const LaunchSpec &spec)
{
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    const Result<void> written = PresetStore::writeFile(path, Preset(name, spec).toFileBytes());
    return written ? path : QString();
}

TestEngine::CliResult TestRunCommand::gpudeck(const QStringList &args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

void TestRunCommand::selections_data()
{
    if (!TestEngine::isPodman()) {
        SelectionRows::add();
        return;
    }
    // Podman takes GPUs as CDI devices only: the seed's launches as CDI devices of its host
    // (the stand-in spec names them by UUID), and none.
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<QByteArray>("expected");
    const QStringList uuids = TestEngine::podmanGpuUuids();
    const auto spec = [](const QStringList &devices) {
        LaunchSpec s;
        s.image = SelectionRows::image();
        s.command = {QStringLiteral("nvidia-smi")};
        s.gpus = devices.isEmpty() ? GpuSelection::none() : GpuSelection::ofDevices(devices);
        s.autoRemove = false;
        s.networkMode = QStringLiteral("none");
        return s;
    };
    const auto output = [](const QStringList &devices) -> QByteArray {
        QStringList names;
        for (const QString &device : devices)
            names << QStringLiteral("nvidia.com/gpu=") + device;
        return "NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\n"
               + (names.isEmpty() ? QByteArray()
                                  : "CDI_DEVICES=" + names.join(QLatin1Char(' ')).toUtf8() + '\n');
    };
    QTest::newRow("one GPU") << spec({uuids.value(0)}) << output({uuids.value(0)});
    QTest::newRow("both GPUs") << spec(uuids) << output(uuids);
    QTest::newRow("no GPUs") << spec({}) << output({});
}

void TestRunCommand::selections()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(QByteArray, expected);
    const QString tag = QString::fromLatin1(QTest::currentDataTag()).left(12);
    const QString base =
        QStringLiteral("gpudeck-sel-%1-%2").arg(QCoreApplication::applicationPid()).arg(qHash(tag));

    // 1. gpudeck run
    LaunchSpec ours = spec;
    ours.containerName = base + QStringLiteral("-gpudeck");
    const QString preset = writePreset(ours.containerName, ours);
    QVERIFY(!preset.isEmpty());
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), preset});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, expected);

    // 2. the exported docker-run line (podman-run on Podman), through a real shell and the
    // engine's own CLI
    LaunchSpec cli = spec;
    cli.containerName = base + QStringLiteral("-cli");
    // The CLI and the SDK below reach the same engine through its local socket.
    QProcessEnvironment env = TestEngine::localCliEnvironment();
    env.insert(QStringLiteral("PATH"), m_binDir + QStringLiteral(":/usr/bin:/bin"));
    const QString line = TestEngine::isPodman() ? DockerRunExport::podmanCommandLine(cli, false)
                                                : DockerRunExport::commandLine(cli, false);
    const TestEngine::CliResult shell = TestEngine::runProgram(QStringLiteral("/bin/sh"),
                                                               {QStringLiteral("-c"), line}, env);
    QVERIFY2(shell.exitCode == 0, shell.err.constData());
    QCOMPARE(shell.out, expected);
    if (TestEngine::isPodman()) {
        // The Python script asks through the Docker SDK's device requests, which Podman before
        // 5.4 ignores (as it does docker compose's; a CDI preset's script says so in its header).
        // What gpudeck and podman asked for is compared by the devices the containers saw, above.
        removeContainer(ours.containerName);
        removeContainer(cli.containerName);
        return;
    }

    // 3. the exported Python script, with Debian's python3-docker
    LaunchSpec py = spec;
    py.containerName = base + QStringLiteral("-py");
    py.autoRemove = false;
    const QString script = m_dir.filePath(base + QStringLiteral(".py"));
    QFile file(script);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(PythonExport::script(py, false).toUtf8());
    file.close();
    const TestEngine::CliResult python = TestEngine::runProgram(QStringLiteral("/usr/bin/python3"),
                                                                {script},
                                                                TestEngine::localCliEnvironment());
    QVERIFY2(python.exitCode == 0, python.err.constData());
    QCOMPARE(python.out, expected);

    // The engine stored the same request for gpudeck and the CLI.
    const QJsonObject a = inspect(ours.containerName);
    const QJsonObject b = inspect(cli.containerName);
    QVERIFY(!a.isEmpty());
    QVERIFY(!b.isEmpty());
    QCOMPARE(normalizedRequests(a), normalizedRequests(b));
    QCOMPARE(a.value(QStringLiteral("HostConfig")).toObject().value(QStringLiteral("Runtime")),
             b.value(QStringLiteral("HostConfig")).toObject().value(QStringLiteral("Runtime")));
    if (!spec.runtime.isEmpty()) {
        QCOMPARE(a.value(QStringLiteral("HostConfig"))
                     .toObject()
                     .value(QStringLiteral("Runtime"))
                     .toString(),
                 spec.runtime);
    }
    removeContainer(ours.containerName);
    removeContainer(cli.containerName);
    removeContainer(py.containerName); // the script removes it; this is only a safety net
}

void TestRunCommand::exitCodeIsTheContainers()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo to-stderr >&2; exit 42")};
    spec.networkMode = QStringLiteral("none");
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("exit code"), spec)});
    QCOMPARE(run.exitCode, 42);
    QCOMPARE(run.out, QByteArray());
    QCOMPARE(run.err, QByteArray("to-stderr\n"));
}

void TestRunCommand::outputIsByteExact()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral(
                        "head -c 8000000 /dev/urandom > /r && cat /r && sha256sum /r >&2")};
    spec.networkMode = QStringLiteral("none");
    // By name this time, from the store.
    QVERIFY(!writePreset(QStringLiteral("random bytes"), spec).isEmpty());
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("random bytes")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out.size(), 8000000);
    QCOMPARE(run.err.left(64),
             QCryptographicHash::hash(run.out, QCryptographicHash::Sha256).toHex());
}

void TestRunCommand::autoRemoveLeavesNothing()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("true")};
    spec.autoRemove = true;
    spec.networkMode = QStringLiteral("none");
    spec.containerName =
        QStringLiteral("gpudeck-autoremove-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), writePreset(spec.containerName, spec)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(inspect(spec.containerName).isEmpty());
}

void TestRunCommand::missingImageIs125()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-missing:never");
    spec.command = {QStringLiteral("true")};
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("missing"), spec)});
    QCOMPARE(run.exitCode, 125);
    const QByteArray pull = TestEngine::isPodman() ? "podman pull gpudeck-missing:never"
                                                   : "docker pull gpudeck-missing:never";
    QVERIFY2(run.err.contains(pull), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1); // one sentence
}

void TestRunCommand::commandFailuresExitAsDockerRun_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<int>("code"); // docker run's
    QTest::newRow("no such command")
        << QStringList{QStringLiteral("gpudeck-no-such-command")} << 127;
    QTest::newRow("no such path") << QStringList{QStringLiteral("/no/such/program")} << 127;
    QTest::newRow("not executable") << QStringList{QStringLiteral("/etc/hostname")} << 126;
    QTest::newRow("a directory") << QStringList{QStringLiteral("/etc")} << 126;
}

void TestRunCommand::commandFailuresExitAsDockerRun()
{
    QFETCH(QStringList, command);
    QFETCH(int, code);
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = command;
    spec.networkMode = QStringLiteral("none");
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("bad command"), spec)});
    QVERIFY2(run.exitCode == code, run.err.constData());
    QCOMPARE(run.err.count('\n'), 1); // one sentence
    if (!TestEngine::isPodman()) {
        // The same launch through the real docker CLI on the same engine.
        const TestEngine::CliResult cli = TestEngine::docker(
            QStringList{QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
                        QStringLiteral("none"), kImage}
            + command);
        QCOMPARE(run.exitCode, cli.exitCode);
    }
}

void TestRunCommand::badUsageIs2()
{
    QCOMPARE(gpudeck({QStringLiteral("run")}).exitCode, 2);
    QCOMPARE(gpudeck({QStringLiteral("run"), QStringLiteral("--bogus")}).exitCode, 2);
    const TestEngine::CliResult missing = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("no such preset")});
    QCOMPARE(missing.exitCode, 125);
    QVERIFY(!missing.err.isEmpty());
}

void TestRunCommand::detachPrintsTheId()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sleep"), QStringLiteral("30")};
    spec.autoRemove = false;
    spec.networkMode = QStringLiteral("none");
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--detach"),
                                               QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("detached"), spec)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString id = QString::fromLatin1(run.out.trimmed());
    QCOMPARE(id.size(), 64);
    const QJsonObject inspected = inspect(id);
    QVERIFY(inspected.value(QStringLiteral("State"))
                .toObject()
                .value(QStringLiteral("Running"))
                .toBool());
    removeContainer(id);
}

void TestRunCommand::publishAddsToThePresetsPorts()
{
    // The sandboxed engine has no default bridge: a user-defined one publishes through docker's
    // userland proxy.
    const QString network =
        QStringLiteral("gpudeck-run-p-%1").arg(QCoreApplication::applicationPid());
    const QByteArray problem = TestEngine::createNetwork(network);
    QVERIFY2(problem.isEmpty(), problem.constData());
    const QString ours = network + QStringLiteral("-gpudeck");
    const QString theirs = network + QStringLiteral("-cli");
    const auto cleanup = qScopeGuard([&]() {
        removeContainer(ours);
        removeContainer(theirs);
        TestEngine::docker({QStringLiteral("network"), QStringLiteral("rm"), network});
    });

    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("mkdir -p /www && echo published by -p > /www/index.html && "
                                   "exec httpd -f -p 8080 -h /www")};
    spec.autoRemove = false;
    spec.networkMode = network;
    spec.ports = {QStringLiteral("127.0.0.1::7000")};
    spec.containerName = ours;
    const QString preset = writePreset(QStringLiteral("publish"), spec);
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--detach"), QStringLiteral("--preset"), preset,
         QStringLiteral("-p"), QStringLiteral("127.0.0.1::8080"),
         QStringLiteral("--publish=127.0.0.1::5353/udp")});
    QVERIFY2(run.exitCode == 0, run.err.constData());

    // What the docker CLI makes of the same three -p.
    const TestEngine::CliResult created = TestEngine::docker(
        {QStringLiteral("create"), QStringLiteral("--name"), theirs, QStringLiteral("--network"),
         network, QStringLiteral("-p"), QStringLiteral("127.0.0.1::7000"), QStringLiteral("-p"),
         QStringLiteral("127.0.0.1::8080"), QStringLiteral("-p"),
         QStringLiteral("127.0.0.1::5353/udp"), kImage, QStringLiteral("true")});
    QVERIFY2(created.exitCode == 0, created.err.constData());
    const QJsonObject a = inspect(ours);
    const QJsonObject b = inspect(theirs);
    const auto bindings = [](const QJsonObject &o) {
        return o.value(QStringLiteral("HostConfig"))
            .toObject()
            .value(QStringLiteral("PortBindings"))
            .toObject();
    };
    const auto exposed = [](const QJsonObject &o) {
        return o.value(QStringLiteral("Config"))
            .toObject()
            .value(QStringLiteral("ExposedPorts"))
            .toObject();
    };
    QCOMPARE(bindings(a).keys(),
             (QStringList{QStringLiteral("5353/udp"), QStringLiteral("7000/tcp"),
                          QStringLiteral("8080/tcp")}));
    // Podman picks the host ports at create, so only the addresses can be the same there.
    const auto addresses = [](QJsonObject ports) {
        for (auto it = ports.begin(); it != ports.end(); ++it) {
            QJsonArray list = it.value().toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                QJsonObject binding = list.at(i).toObject();
                binding.remove(QStringLiteral("HostPort"));
                list.replace(i, binding);
            }
            it.value() = list;
        }
        return ports;
    };
    if (TestEngine::isPodman())
        QCOMPARE(addresses(bindings(a)), addresses(bindings(b)));
    else
        QCOMPARE(bindings(a), bindings(b));
    QCOMPARE(exposed(a), exposed(b));

    // -p is for this launch only: the preset keeps its own ports.
    const Result<Preset> reread = PresetStore().resolve(preset);
    QVERIFY(reread.ok());
    QCOMPARE(reread.value().spec().ports, spec.ports);

    // The engine published 8080 on 127.0.0.1, and the container's server answers there.
    int hostPort = 0;
    for (const PortMappings::Published &p : PortMappings::fromInspect(a)) {
        if (p.containerPort == 8080 && p.protocol == QLatin1String("tcp")
            && p.hostIp == QLatin1String("127.0.0.1"))
            hostPort = p.hostPort;
    }
    QVERIFY2(
        hostPort > 0,
        QJsonDocument(a.value(QStringLiteral("NetworkSettings")).toObject()).toJson().constData());
    const QByteArray page = httpGet(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(hostPort)),
                                    30000);
    QVERIFY2(page.contains("published by -p"), page.constData());
}

void TestRunCommand::badPublishIsRefused()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("true")};
    spec.autoRemove = false;
    spec.networkMode = QStringLiteral("none");
    spec.containerName =
        QStringLiteral("gpudeck-run-bad-p-%1").arg(QCoreApplication::applicationPid());
    const QString preset = writePreset(QStringLiteral("bad publish"), spec);

    // A value that is not a docker run -p entry is bad usage, said at the option.
    const TestEngine::CliResult garbled = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), preset, QStringLiteral("-p"),
         QStringLiteral("80:http")});
    QCOMPARE(garbled.exitCode, 2);
    QVERIFY2(garbled.err.startsWith("gpudeck: -p 80:http: "), garbled.err.constData());

    // A network that cannot publish, and a host port the preset already publishes: the launch
    // is refused (125) before anything is created.
    const TestEngine::CliResult none = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                                preset, QStringLiteral("--publish"),
                                                QStringLiteral("8080")});
    QCOMPARE(none.exitCode, 125);
    QVERIFY2(none.err.contains("cannot publish these ports")
                 && none.err.contains("network mode none") && none.err.contains("-p"),
             none.err.constData());
    QCOMPARE(none.err.count('\n'), 1);
    spec.networkMode = QString();
    spec.ports = {QStringLiteral("127.0.0.1:18080:80")};
    const TestEngine::CliResult twice = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                                 writePreset(QStringLiteral("bad publish"), spec),
                                                 QStringLiteral("-p"), QStringLiteral("18080:81")});
    QCOMPARE(twice.exitCode, 125);
    QVERIFY2(twice.err.contains("18080/tcp is published twice"), twice.err.constData());
    QVERIFY(inspect(spec.containerName).isEmpty());
}

QTEST_GUILESS_MAIN(TestRunCommand)
#include "tst_runcommand.moc"
