// `gpudeck preset show --format compose|kubernetes|kubernetes-dra` checked by outside tools: each Compose
// export is validated by the real docker compose (Debian sid's 2.x, `config -q`) and by the
// Compose specification's JSON schema (ajv), then run with `docker compose up` against the real
// sandboxed engine; the container it makes must carry the same HostConfig.DeviceRequests and
// Runtime as gpudeck's own launch of the same preset, for every GPU selection.
#include "SelectionRows.h"
#include "TestEngine.h"

#include "launch/ComposeExport.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

class TestExportCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void composeSelections_data();
    void composeSelections();
    void composeKeepsEveryString();
    void composeCdiDevices();
    void composePorts();
    void kubernetes_data();
    void kubernetes();
    void kubernetesAllWithoutInventoryIsRefused();
    void kubernetesDra_data();
    void kubernetesDra();
    void unknownFormatIs2();

private:
    QString writePreset(const QString &name, const LaunchSpec &spec);
    QString writeFile(const QString &name, const QByteArray &bytes);
    TestEngine::CliResult gpudeck(const QStringList &args, const QProcessEnvironment &extra = {});
    TestEngine::CliResult compose(const QString &file, const QStringList &args);
    TestEngine::CliResult validate(const QString &kind, const QString &file);
    QString exported(const LaunchSpec &spec, const QString &format,
                     const QProcessEnvironment &env = {});
    QJsonObject yamlAsJson(const QString &file);

    QTemporaryDir m_dir;
    QString m_tools;
};

void TestExportCommands::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).mkpath(QStringLiteral("presets"));
    QDir(m_dir.path()).mkpath(QStringLiteral("docker-config"));
    m_tools = qEnvironmentVariable("GPUDECK_TEST_TOOLS_DIR");
    if (m_tools.isEmpty() || !QFile::exists(m_tools + QStringLiteral("/bin/docker-compose"))) {
        if (TestEngine::underCi())
            QFAIL("docker compose and the npm validators are missing: tests/scripts/test-tools.sh "
                  "did not fetch them");
        QSKIP("no test tools (run through ctest: fixture tools)");
    }
}

QString TestExportCommands::writePreset(const QString &name, const LaunchSpec &spec)
{
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    const Result<void> written = PresetStore::writeFile(path, Preset(name, spec).toFileBytes());
    return written ? path : QString();
}

QString TestExportCommands::writeFile(const QString &name, const QByteArray &bytes)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return file.fileName();
}

TestEngine::CliResult TestExportCommands::gpudeck(const QStringList &args,
                                                  const QProcessEnvironment &extra)
{
    QProcessEnvironment env = extra;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

TestEngine::CliResult TestExportCommands::compose(const QString &file, const QStringList &args)
{
    // docker compose on the engine's local socket, with a config directory of its own.
    QProcessEnvironment env = TestEngine::localCliEnvironment();
    env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir.filePath(QStringLiteral("docker-config")));
    return TestEngine::runProgram(m_tools + QStringLiteral("/bin/docker-compose"),
                                  QStringList{QStringLiteral("-f"), file} + args, env, 120000);
}

TestEngine::CliResult TestExportCommands::validate(const QString &kind, const QString &file)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("NODE_PATH"), m_tools + QStringLiteral("/node/node_modules"));
    return TestEngine::runProgram(
        QStringLiteral("node"),
        {QStringLiteral(GPUDECK_SOURCE_DIR "/tests/scripts/validate-export.js"), kind, file}, env);
}

// The export as `gpudeck preset show FILE --format FORMAT` prints it.
QString TestExportCommands::exported(const LaunchSpec &spec, const QString &format,
                                     const QProcessEnvironment &env)
{
    const QString preset = writePreset(QStringLiteral("export-%1").arg(qHash(spec.containerName)),
                                       spec);
    const TestEngine::CliResult shown = gpudeck({QStringLiteral("preset"), QStringLiteral("show"),
                                                 preset, QStringLiteral("--format"), format},
                                                env);
    if (shown.exitCode != 0) {
        qWarning("preset show failed: %s", shown.err.constData());
        return {};
    }
    return writeFile(QStringLiteral("export-%1.%2")
                         .arg(qHash(spec.containerName))
                         .arg(format == QLatin1String("compose") ? QStringLiteral("yml")
                                                                 : QStringLiteral("yaml")),
                     shown.out);
}

void TestExportCommands::composeSelections_data()
{
    SelectionRows::add();
}

void TestExportCommands::composeSelections()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(QByteArray, expected);
    const QString base = QStringLiteral("gpudeck-cmp-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(qHash(QString::fromLatin1(QTest::currentDataTag())));

    // gpudeck's own launch of the preset
    LaunchSpec ours = spec;
    ours.containerName = base + QStringLiteral("-gpudeck");
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), writePreset(ours.containerName, ours)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, expected);

    // the Compose export of the same preset
    LaunchSpec theirs = spec;
    theirs.containerName = base + QStringLiteral("-compose");
    const QString file = exported(theirs, QStringLiteral("compose"));
    QVERIFY(!file.isEmpty());
    const TestEngine::CliResult schema = validate(QStringLiteral("compose"), file);
    QVERIFY2(schema.exitCode == 0, QByteArray(schema.out + schema.err).constData());
    const TestEngine::CliResult config = compose(file,
                                                 {QStringLiteral("config"), QStringLiteral("-q")});
    QVERIFY2(config.exitCode == 0, config.err.constData());
    const QStringList project = {QStringLiteral("-p"), base};
    const TestEngine::CliResult up =
        compose(file, project + QStringList{QStringLiteral("up"), QStringLiteral("--no-color")});
    QVERIFY2(up.exitCode == 0, up.err.constData());
    const TestEngine::CliResult logs = TestEngine::docker(
        {QStringLiteral("logs"), theirs.containerName});
    QCOMPARE(logs.out, expected);

    const QJsonObject a = SelectionRows::inspect(ours.containerName);
    const QJsonObject b = SelectionRows::inspect(theirs.containerName);
    QVERIFY(!a.isEmpty());
    QVERIFY(!b.isEmpty());
    QCOMPARE(SelectionRows::normalizedRequests(b), SelectionRows::normalizedRequests(a));
    QCOMPARE(SelectionRows::runtimeOf(b), SelectionRows::runtimeOf(a));

    const TestEngine::CliResult down = compose(file, project + QStringList{QStringLiteral("down")});
    QVERIFY2(down.exitCode == 0, down.err.constData());
    QVERIFY(SelectionRows::inspect(theirs.containerName).isEmpty());
    SelectionRows::removeContainer(ours.containerName);
}

void TestExportCommands::composeKeepsEveryString()
{
    // Quotes, '$' (compose's interpolation), line breaks, YAML indicators and non-ASCII text all
    // reach the engine as written: compose's own reading of the file gives them back unchanged.
    LaunchSpec spec;
    spec.image = SelectionRows::image();
    spec.command = {QStringLiteral("sh"),
                    QStringLiteral("-c"),
                    QStringLiteral("echo \"$HOME\" '${X}' $$ `id`; a: b # c"),
                    QStringLiteral("new\nline\ttab"),
                    QString(),
                    QStringLiteral("no"),
                    QStringLiteral("1e3"),
                    QStringLiteral("- x"),
                    QStringLiteral("\u00e9\u20ac\U0001F600"),
                    QStringLiteral("*a &b !c"),
                    QStringLiteral("{x: [y]}")};
    spec.env = {QStringLiteral("A=it's $x"), QStringLiteral("B=null"),
                QStringLiteral("C=line\nbreak"), QStringLiteral("D=")};
    spec.gpus = GpuSelection::ofDevices(
        {QStringLiteral("0"), QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666")});
    spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    spec.deviceDriver = QStringLiteral("nvidia");
    spec.runtime = QStringLiteral("nvidia");
    spec.containerName = QStringLiteral("Smi.Test_1");
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.binds = {QStringLiteral("/srv/my data:/data:ro"), QStringLiteral("scratch:/scratch")};
    spec.networkMode = QStringLiteral("none");
    spec.tty = true;
    const QString file = exported(spec, QStringLiteral("compose"));
    QVERIFY(!file.isEmpty());
    const TestEngine::CliResult schema = validate(QStringLiteral("compose"), file);
    QVERIFY2(schema.exitCode == 0, QByteArray(schema.out + schema.err).constData());
    const TestEngine::CliResult config =
        compose(file, {QStringLiteral("-p"), QStringLiteral("strings"), QStringLiteral("config"),
                       QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(config.exitCode == 0, config.err.constData());
    const QJsonObject service = QJsonDocument::fromJson(config.out)
                                    .object()
                                    .value(QStringLiteral("services"))
                                    .toObject()
                                    .value(ComposeExport::serviceName(spec))
                                    .toObject();
    QVERIFY2(!service.isEmpty(), config.out.constData());
    // `config` prints a file that compose reads again, so it writes each literal '$' as "$$".
    const auto asConfigPrints = [](QString text) {
        return text.replace(QLatin1Char('$'), QStringLiteral("$$"));
    };
    QStringList command;
    for (const QString &arg : std::as_const(spec.command))
        command << asConfigPrints(arg);
    QCOMPARE(service.value(QStringLiteral("command")).toVariant().toStringList(), command);
    const QJsonObject environment = service.value(QStringLiteral("environment")).toObject();
    QCOMPARE(environment.size(), spec.env.size());
    for (const QString &entry : std::as_const(spec.env))
        QCOMPARE(environment.value(entry.section(QLatin1Char('='), 0, 0)).toString(),
                 asConfigPrints(entry.section(QLatin1Char('='), 1)));
    QCOMPARE(service.value(QStringLiteral("container_name")).toString(), spec.containerName);
    QCOMPARE(service.value(QStringLiteral("runtime")).toString(), spec.runtime);
    QCOMPARE(service.value(QStringLiteral("ipc")).toString(), spec.ipcMode);
    QCOMPARE(service.value(QStringLiteral("shm_size")).toVariant().toLongLong(), 1073741824LL);
    QCOMPARE(service.value(QStringLiteral("tty")).toBool(), true);
    const QJsonObject device = service.value(QStringLiteral("deploy"))
                                   .toObject()
                                   .value(QStringLiteral("resources"))
                                   .toObject()
                                   .value(QStringLiteral("reservations"))
                                   .toObject()
                                   .value(QStringLiteral("devices"))
                                   .toArray()
                                   .at(0)
                                   .toObject();
    QCOMPARE(device.value(QStringLiteral("driver")).toString(), QStringLiteral("nvidia"));
    QCOMPARE(device.value(QStringLiteral("device_ids")).toVariant().toStringList(),
             spec.gpus.devices);
    QVERIFY(!device.contains(QStringLiteral("count"))
            || device.value(QStringLiteral("count")).toInt() == 0);
    QCOMPARE(device.value(QStringLiteral("capabilities")).toVariant().toStringList(),
             (QStringList{QStringLiteral("compute"), QStringLiteral("utility"),
                          QStringLiteral("gpu")}));
    const QJsonArray volumes = service.value(QStringLiteral("volumes")).toArray();
    QCOMPARE(volumes.size(), 2);
    QCOMPARE(volumes.at(0).toObject().value(QStringLiteral("source")).toString(),
             QStringLiteral("/srv/my data"));
    QCOMPARE(volumes.at(0).toObject().value(QStringLiteral("read_only")).toBool(), true);
    // A named volume keeps its name, as docker run -v uses it.
    QCOMPARE(QJsonDocument::fromJson(config.out)
                 .object()
                 .value(QStringLiteral("volumes"))
                 .toObject()
                 .value(QStringLiteral("scratch"))
                 .toObject()
                 .value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("scratch"));
}

void TestExportCommands::composeCdiDevices()
{
    LaunchSpec spec;
    spec.image = SelectionRows::image();
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = GpuSelection::ofDevices(
        {QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=all")});
    const QString file = exported(spec, QStringLiteral("compose"));
    QVERIFY(!file.isEmpty());
    const TestEngine::CliResult schema = validate(QStringLiteral("compose"), file);
    QVERIFY2(schema.exitCode == 0, QByteArray(schema.out + schema.err).constData());
    const TestEngine::CliResult config = compose(file, {QStringLiteral("-p"), QStringLiteral("cdi"),
                                                        QStringLiteral("config"),
                                                        QStringLiteral("--format"),
                                                        QStringLiteral("json")});
    QVERIFY2(config.exitCode == 0, config.err.constData());
    const QJsonObject service = QJsonDocument::fromJson(config.out)
                                    .object()
                                    .value(QStringLiteral("services"))
                                    .toObject()
                                    .value(QStringLiteral("gpu"))
                                    .toObject();
    QStringList sources;
    for (const QJsonValue &device : service.value(QStringLiteral("devices")).toArray())
        sources << device.toObject().value(QStringLiteral("source")).toString();
    QCOMPARE(sources, spec.gpus.devices);
    QVERIFY(!service.contains(QStringLiteral("deploy")));
}

void TestExportCommands::composePorts()
{
    // Published ports: `docker compose create` of the export makes the ExposedPorts and
    // PortBindings that gpudeck's own launch of the preset makes (on a bridge network of the
    // test's own: the sandboxed engine has no default one).
    const QString base =
        QStringLiteral("gpudeck-cmp-ports-%1").arg(QCoreApplication::applicationPid());
    const QString network = base + QStringLiteral("-net");
    const QByteArray problem = TestEngine::createNetwork(network);
    QVERIFY2(problem.isEmpty(), problem.constData());
    LaunchSpec spec;
    spec.image = SelectionRows::image();
    spec.command = {QStringLiteral("sleep"), QStringLiteral("600")};
    spec.autoRemove = false;
    spec.networkMode = network;
    // a host port free now; gpudeck's container holds it, compose's is only created
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const int fixed = probe.serverPort();
    probe.close();
    spec.ports = {QStringLiteral("127.0.0.1:%1:8888").arg(fixed),
                  QStringLiteral("127.0.0.1::7000-7001"), QStringLiteral("127.0.0.1::5353/udp"),
                  QStringLiteral("6006")};
    LaunchSpec ours = spec;
    ours.containerName = base + QStringLiteral("-gpudeck");
    LaunchSpec theirs = spec;
    theirs.containerName = base + QStringLiteral("-compose");
    const QString file = exported(theirs, QStringLiteral("compose"));
    QVERIFY(!file.isEmpty());
    const QStringList project = {QStringLiteral("-p"), base};
    const auto cleanup = qScopeGuard([&]() {
        compose(file, project + QStringList{QStringLiteral("down")});
        SelectionRows::removeContainer(ours.containerName);
        TestEngine::docker({QStringLiteral("network"), QStringLiteral("rm"), network});
    });

    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--detach"),
                                               QStringLiteral("--preset"),
                                               writePreset(ours.containerName, ours)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const TestEngine::CliResult schema = validate(QStringLiteral("compose"), file);
    QVERIFY2(schema.exitCode == 0, QByteArray(schema.out + schema.err).constData());
    const TestEngine::CliResult config = compose(file,
                                                 {QStringLiteral("config"), QStringLiteral("-q")});
    QVERIFY2(config.exitCode == 0, config.err.constData());
    const TestEngine::CliResult created = compose(file,
                                                  project + QStringList{QStringLiteral("create")});
    QVERIFY2(created.exitCode == 0, created.err.constData());

    const QJsonObject a = SelectionRows::inspect(ours.containerName);
    const QJsonObject b = SelectionRows::inspect(theirs.containerName);
    QVERIFY(!a.isEmpty());
    QVERIFY(!b.isEmpty());
    const QJsonObject bindings =
        a[QStringLiteral("HostConfig")][QStringLiteral("PortBindings")].toObject();
    QCOMPARE(bindings.keys(), (QStringList{QStringLiteral("5353/udp"), QStringLiteral("6006/tcp"),
                                           QStringLiteral("7000/tcp"), QStringLiteral("7001/tcp"),
                                           QStringLiteral("8888/tcp")}));
    QCOMPARE(b[QStringLiteral("HostConfig")][QStringLiteral("PortBindings")].toObject(), bindings);
    QCOMPARE(b[QStringLiteral("Config")][QStringLiteral("ExposedPorts")].toObject(),
             a[QStringLiteral("Config")][QStringLiteral("ExposedPorts")].toObject());
}

QJsonObject TestExportCommands::yamlAsJson(const QString &file)
{
    const TestEngine::CliResult json = validate(QStringLiteral("json"), file);
    return QJsonDocument::fromJson(json.out).object();
}

// This host's GPUs for the export: the fake NVML's two H100s, or no driver at all.
static QProcessEnvironment inventoryEnv(bool gpus)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               gpus ? QStringLiteral(GPUDECK_FAKE_NVML)
                    : QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin")); // no nvidia-smi either
    return env;
}

void TestExportCommands::kubernetes_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<int>("gpus");        // nvidia.com/gpu limit; 0: none
    QTest::addColumn<QString>("product"); // the nodeSelector; empty: none
    QTest::addColumn<QString>("caps");    // NVIDIA_DRIVER_CAPABILITIES; empty: not set

    LaunchSpec full;
    full.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
    full.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo \"it's\" $HOME: # no comment")};
    full.env = {QStringLiteral("A=1"), QStringLiteral("B=yes")};
    full.gpus = GpuSelection::ofCount(2);
    full.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    full.runtime = QStringLiteral("nvidia");
    full.shmSize = QStringLiteral("2g");
    full.binds = {QStringLiteral("/srv/data:/data:ro"), QStringLiteral("scratch:/scratch")};
    full.containerName = QStringLiteral("Train_Run.1");
    QTest::newRow("count 2, caps, runtime, shm, binds")
        << full << 2 << QString() << QStringLiteral("compute,utility");

    LaunchSpec picked;
    picked.image = SelectionRows::image();
    picked.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("1")});
    QTest::newRow("devices 0 and 1: product selector")
        << picked << 2 << QStringLiteral("NVIDIA-H100-80GB-HBM3") << QString();

    LaunchSpec unknown = picked;
    unknown.gpus = GpuSelection::ofDevices(
        {QStringLiteral("GPU-6bd9a9a1-5c4f-1e7b-3c1e-2f3b4c5d6e7f")});
    QTest::newRow("a UUID not on this host: no selector") << unknown << 1 << QString() << QString();

    LaunchSpec all = picked;
    all.gpus = GpuSelection::all();
    all.capabilities = {QStringLiteral("graphics")};
    QTest::newRow("all GPUs: this host's 2") << all << 2 << QString() << QStringLiteral("graphics");

    LaunchSpec none = picked;
    none.gpus = GpuSelection::none();
    QTest::newRow("no GPUs") << none << 0 << QString() << QString();

    LaunchSpec ports = none;
    ports.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("127.0.0.1::6006"),
                   QStringLiteral("9000-9001:9000-9001/udp")};
    QTest::newRow("published ports") << ports << 0 << QString() << QString();
}

void TestExportCommands::kubernetes()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(int, gpus);
    QFETCH(QString, product);
    QFETCH(QString, caps);
    const QString file = exported(spec, QStringLiteral("kubernetes"), inventoryEnv(true));
    QVERIFY(!file.isEmpty());
    const TestEngine::CliResult valid = validate(QStringLiteral("kubernetes"), file);
    QVERIFY2(valid.exitCode == 0, QByteArray(valid.out + valid.err).constData());

    const QJsonObject job = yamlAsJson(file);
    QCOMPARE(job.value(QStringLiteral("apiVersion")).toString(), QStringLiteral("batch/v1"));
    QCOMPARE(job.value(QStringLiteral("kind")).toString(), QStringLiteral("Job"));
    QCOMPARE(job[QStringLiteral("spec")][QStringLiteral("backoffLimit")].toInt(-1), 0);
    const QJsonObject pod =
        job[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
    QCOMPARE(pod.value(QStringLiteral("restartPolicy")).toString(), QStringLiteral("Never"));
    const QJsonObject container = pod[QStringLiteral("containers")][0].toObject();
    QCOMPARE(container.value(QStringLiteral("image")).toString(), spec.image);
    QCOMPARE(container.value(QStringLiteral("args")).toVariant().toStringList(), spec.command);
    QCOMPARE(container[QStringLiteral("resources")][QStringLiteral("limits")]
                      [QStringLiteral("nvidia.com/gpu")]
                          .toInt(),
             gpus);
    QCOMPARE(
        pod[QStringLiteral("nodeSelector")][QStringLiteral("nvidia.com/gpu.product")].toString(),
        product);
    QString capsSeen;
    QStringList envSeen;
    for (const QJsonValue &e : container.value(QStringLiteral("env")).toArray()) {
        if (e[QStringLiteral("name")].toString() == QLatin1String("NVIDIA_DRIVER_CAPABILITIES"))
            capsSeen = e[QStringLiteral("value")].toString();
        else
            envSeen << e[QStringLiteral("name")].toString() + QLatin1Char('=')
                           + e[QStringLiteral("value")].toString();
    }
    QCOMPARE(capsSeen, caps);
    QCOMPARE(envSeen, spec.env);
    QCOMPARE(pod.value(QStringLiteral("runtimeClassName")).toString(), spec.runtime);
    // Published ports: the container's ports, each container port once with its protocol.
    QStringList ports;
    for (const QJsonValue &port : container.value(QStringLiteral("ports")).toArray())
        ports << QStringLiteral("%1/%2")
                     .arg(port[QStringLiteral("containerPort")].toInt())
                     .arg(port[QStringLiteral("protocol")].toString());
    const QStringList published{QStringLiteral("6006/TCP"), QStringLiteral("8888/TCP"),
                                QStringLiteral("9000/UDP"), QStringLiteral("9001/UDP")};
    QCOMPARE(ports, spec.ports.isEmpty() ? QStringList() : published);
    if (!spec.shmSize.isEmpty()) {
        QCOMPARE(
            pod[QStringLiteral("volumes")][0][QStringLiteral("emptyDir")][QStringLiteral("medium")]
                .toString(),
            QStringLiteral("Memory"));
        QCOMPARE(pod[QStringLiteral("volumes")][0][QStringLiteral("emptyDir")]
                    [QStringLiteral("sizeLimit")]
                        .toString(),
                 QStringLiteral("2147483648"));
        QCOMPARE(
            container[QStringLiteral("volumeMounts")][0][QStringLiteral("mountPath")].toString(),
            QStringLiteral("/dev/shm"));
        QCOMPARE(
            pod[QStringLiteral("volumes")][1][QStringLiteral("hostPath")][QStringLiteral("path")]
                .toString(),
            QStringLiteral("/srv/data"));
        QCOMPARE(container[QStringLiteral("volumeMounts")][1][QStringLiteral("readOnly")].toBool(),
                 true);
        QCOMPARE(pod[QStringLiteral("volumes")][2][QStringLiteral("persistentVolumeClaim")]
                    [QStringLiteral("claimName")]
                        .toString(),
                 QStringLiteral("scratch"));
        QCOMPARE(job[QStringLiteral("metadata")][QStringLiteral("name")].toString(),
                 QStringLiteral("train-run-1"));
        QVERIFY(QFile(file).open(QIODevice::ReadOnly));
    }
    QFile text(file);
    QVERIFY(text.open(QIODevice::ReadOnly));
    const QByteArray yaml = text.readAll();
    if (spec.gpus.mode == GpuSelection::Mode::Devices)
        QVERIFY2(yaml.contains("cannot pin GPUs"), yaml.constData());
    if (spec.gpus.mode == GpuSelection::Mode::All)
        QVERIFY2(yaml.contains("\"All GPUs\" has no Kubernetes form"), yaml.constData());
}

void TestExportCommands::kubernetesAllWithoutInventoryIsRefused()
{
    LaunchSpec spec;
    spec.image = SelectionRows::image();
    spec.gpus = GpuSelection::all();
    const TestEngine::CliResult shown = gpudeck({QStringLiteral("preset"), QStringLiteral("show"),
                                                 writePreset(QStringLiteral("all k8s"), spec),
                                                 QStringLiteral("--format"),
                                                 QStringLiteral("kubernetes")},
                                                inventoryEnv(false));
    QCOMPARE(shown.exitCode, 1);
    QCOMPARE(shown.out, QByteArray());
    QVERIFY2(shown.err.contains("all GPUs") && shown.err.contains("GPU count"),
             shown.err.constData());
    QCOMPARE(shown.err.count('\n'), 1);
}

void TestExportCommands::kubernetesDra_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<QString>("mode");     // allocationMode; empty: no claim at all
    QTest::addColumn<int>("count");        // for ExactCount
    QTest::addColumn<QString>("selector"); // the CEL expression; empty: none
    QTest::addColumn<QString>("comment");  // in the file where DRA cannot say it; empty: none

    const QString uuid0 = QStringLiteral("GPU-6bd9a9a1-5c4f-1e7b-3c1e-2f3b4c5d6e7f");
    const QString uuid1 = QStringLiteral("GPU-6bd9a9a1-5c4f-1e7b-3c1e-2f3b4c5d6e80");
    LaunchSpec base;
    base.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
    base.command = {QStringLiteral("nvidia-smi")};
    base.env = {QStringLiteral("A=1")};
    base.shmSize = QStringLiteral("1g");
    base.containerName = QStringLiteral("Train_Run.1");

    LaunchSpec count = base;
    count.gpus = GpuSelection::ofCount(2);
    QTest::newRow("count 2") << count << QStringLiteral("ExactCount") << 2 << QString()
                             << QString();
    LaunchSpec free = base;
    free.gpus = GpuSelection::ofFree(1);
    QTest::newRow("1 free GPU") << free << QStringLiteral("ExactCount") << 1 << QString()
                                << QString();
    LaunchSpec all = base;
    all.gpus = GpuSelection::all();
    QTest::newRow("all GPUs") << all << QStringLiteral("All") << 0 << QString() << QString();
    LaunchSpec uuids = base;
    uuids.gpus = GpuSelection::ofDevices({uuid0, uuid1});
    const QString both = QStringLiteral("device.attributes['gpu.nvidia.com'].uuid in ['%1', '%2']")
                             .arg(uuid0, uuid1);
    QTest::newRow("two UUIDs: selected")
        << uuids << QStringLiteral("ExactCount") << 2 << both << QString();
    LaunchSpec cdi = base;
    cdi.deviceDriver = QStringLiteral("cdi");
    cdi.gpus = GpuSelection::ofDevices({QStringLiteral("nvidia.com/gpu=") + uuid0});
    QTest::newRow("a CDI device by UUID")
        << cdi << QStringLiteral("ExactCount") << 1
        << QStringLiteral("device.attributes['gpu.nvidia.com'].uuid in ['%1']").arg(uuid0)
        << QString();
    LaunchSpec indexes = base;
    indexes.gpus = GpuSelection::ofDevices({QStringLiteral("0"), uuid1});
    QTest::newRow("an index: counted, with a comment")
        << indexes << QStringLiteral("ExactCount") << 2 << QString()
        << QStringLiteral("DRA cannot pin 0");
    LaunchSpec none = base;
    none.gpus = GpuSelection::none();
    QTest::newRow("no GPUs: no claim")
        << none << QString() << 0 << QString() << QStringLiteral("asks for no GPUs");
}

void TestExportCommands::kubernetesDra()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(QString, mode);
    QFETCH(int, count);
    QFETCH(QString, selector);
    QFETCH(QString, comment);
    const QString file = exported(spec, QStringLiteral("kubernetes-dra"));
    QVERIFY(!file.isEmpty());
    // Kubernetes 1.34's models (kubernetes-models 5), strictly: the claim template and the Job.
    const TestEngine::CliResult valid = validate(QStringLiteral("kubernetes-dra"), file);
    QVERIFY2(valid.exitCode == 0, QByteArray(valid.out + valid.err).constData());
    const QJsonArray docs =
        QJsonDocument::fromJson(validate(QStringLiteral("json-all"), file).out).array();
    QCOMPARE(docs.size(), mode.isEmpty() ? 1 : 2);
    const QJsonObject job = docs.last().toObject();
    QCOMPARE(job.value(QStringLiteral("kind")).toString(), QStringLiteral("Job"));
    QCOMPARE(job[QStringLiteral("metadata")][QStringLiteral("name")].toString(),
             QStringLiteral("train-run-1"));
    const QJsonObject pod =
        job[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
    const QJsonObject container = pod[QStringLiteral("containers")][0].toObject();
    QCOMPARE(container.value(QStringLiteral("args")).toVariant().toStringList(), spec.command);
    // No device plugin limit: the GPUs come through the claim alone.
    QVERIFY(!container[QStringLiteral("resources")].toObject().contains(QStringLiteral("limits")));
    QFile text(file);
    QVERIFY(text.open(QIODevice::ReadOnly));
    const QByteArray yaml = text.readAll();
    if (!comment.isEmpty())
        QVERIFY2(yaml.contains(comment.toUtf8()), yaml.constData());
    if (mode.isEmpty()) {
        QVERIFY(!pod.contains(QStringLiteral("resourceClaims")));
        QVERIFY(!container.contains(QStringLiteral("resources")));
        return;
    }
    const QJsonObject claim = docs.first().toObject();
    QCOMPARE(claim.value(QStringLiteral("apiVersion")).toString(),
             QStringLiteral("resource.k8s.io/v1"));
    QCOMPARE(claim.value(QStringLiteral("kind")).toString(),
             QStringLiteral("ResourceClaimTemplate"));
    const QString templateName =
        claim[QStringLiteral("metadata")][QStringLiteral("name")].toString();
    QCOMPARE(templateName, QStringLiteral("train-run-1-gpus"));
    const QJsonObject request = claim[QStringLiteral("spec")][QStringLiteral("spec")]
                                     [QStringLiteral("devices")][QStringLiteral("requests")][0]
                                         .toObject();
    const QJsonObject exactly = request.value(QStringLiteral("exactly")).toObject();
    QCOMPARE(exactly.value(QStringLiteral("deviceClassName")).toString(),
             QStringLiteral("gpu.nvidia.com"));
    QCOMPARE(exactly.value(QStringLiteral("allocationMode")).toString(), mode);
    QCOMPARE(exactly.value(QStringLiteral("count")).toInt(), count);
    QCOMPARE(
        exactly[QStringLiteral("selectors")][0][QStringLiteral("cel")][QStringLiteral("expression")]
            .toString(),
        selector);
    // The pod claims the template, and the container uses the claim by the request's name.
    const QJsonObject podClaim = pod[QStringLiteral("resourceClaims")][0].toObject();
    QCOMPARE(podClaim.value(QStringLiteral("resourceClaimTemplateName")).toString(), templateName);
    QCOMPARE(
        container[QStringLiteral("resources")][QStringLiteral("claims")][0][QStringLiteral("name")]
            .toString(),
        podClaim.value(QStringLiteral("name")).toString());
}

void TestExportCommands::unknownFormatIs2()
{
    LaunchSpec spec;
    spec.image = SelectionRows::image();
    const TestEngine::CliResult shown = gpudeck({QStringLiteral("preset"), QStringLiteral("show"),
                                                 writePreset(QStringLiteral("bad format"), spec),
                                                 QStringLiteral("--format"),
                                                 QStringLiteral("helm")});
    QCOMPARE(shown.exitCode, 2);
    QVERIFY(shown.err.contains("compose"));
}

QTEST_GUILESS_MAIN(TestExportCommands)
#include "tst_exportcommands.moc"
