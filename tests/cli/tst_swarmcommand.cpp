// `gpudeck swarm nodes` and `gpudeck swarm run` against a real single-node swarm: a test dockerd
// that advertises two stand-in GPUs as NVIDIA-GPU generic resources. Tasks reserve them by count;
// the test image's busybox shows what the task got by reading /proc/1/environ (busybox sh drops
// variables whose names hold a '-', such as DOCKER_RESOURCE_NVIDIA-GPU).
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestSwarmCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void nodesShowTheGpus();
    void runStreamsOutputAndExitCode();
    void replicasEachGetAGpu();
    void aFailingReplicaSetsTheExitCode();
    void tooManyGpusIs125WithTheReason();
    void aTaskThatCannotStartIs125WithItsError();
    void allGpusIsRefused();
    void detachLeavesTheService();
    void pickedGpusReserveTheirCount();
    void interruptRemovesTheService();
    void doctorChecksTheAdvertisedGpus();
    void cleanup();

private:
    QString writePreset(const QString &name, const LaunchSpec &spec);
    TestEngine::CliResult gpudeck(const QStringList &args);
    QStringList services();
    LaunchSpec shell(const QString &script, int gpus);

    QTemporaryDir m_dir;
    QStringList m_uuids;
};

void TestSwarmCommand::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).mkpath(QStringLiteral("presets"));
    QFile uuids(qEnvironmentVariable("GPUDECK_TEST_SWARM_DIR") + QStringLiteral("/gpu-uuids"));
    QVERIFY2(uuids.open(QIODevice::ReadOnly), "the swarm engine's gpu-uuids file is missing");
    m_uuids = QString::fromLatin1(uuids.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(m_uuids.size(), 2);
}

void TestSwarmCommand::cleanup()
{
    // Nothing is left behind by any test: no service.
    QCOMPARE(services(), QStringList());
}

QString TestSwarmCommand::writePreset(const QString &name, const LaunchSpec &spec)
{
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    const Result<void> written = PresetStore::writeFile(path, Preset(name, spec).toFileBytes());
    return written ? path : QString();
}

TestEngine::CliResult TestSwarmCommand::gpudeck(const QStringList &args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

QStringList TestSwarmCommand::services()
{
    const TestEngine::CliResult ls = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("-q")});
    return QString::fromLatin1(ls.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

LaunchSpec TestSwarmCommand::shell(const QString &script, int gpus)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), script};
    spec.gpus = gpus > 0 ? GpuSelection::ofCount(gpus) : GpuSelection::none();
    return spec;
}

void TestSwarmCommand::nodesShowTheGpus()
{
    const TestEngine::CliResult nodes = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("nodes"), QStringLiteral("--json")});
    QVERIFY2(nodes.exitCode == 0, nodes.err.constData());
    const QJsonArray list =
        QJsonDocument::fromJson(nodes.out).object().value(QStringLiteral("nodes")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject node = list.at(0).toObject();
    QCOMPARE(node.value(QStringLiteral("state")).toString(), QStringLiteral("ready"));
    QCOMPARE(node.value(QStringLiteral("availability")).toString(), QStringLiteral("active"));
    QCOMPARE(node.value(QStringLiteral("role")).toString(), QStringLiteral("leader"));
    QCOMPARE(node.value(QStringLiteral("gpuCount")).toInt(), 2);
    QStringList uuids;
    for (const QJsonValue &gpu : node.value(QStringLiteral("gpus")).toArray()) {
        uuids << gpu[QStringLiteral("uuid")].toString();
        QVERIFY(gpu[QStringLiteral("task")].isNull()); // nothing runs
    }
    uuids.sort();
    QCOMPARE(uuids, m_uuids);

    const TestEngine::CliResult table = gpudeck({QStringLiteral("swarm"), QStringLiteral("nodes")});
    QVERIFY2(table.exitCode == 0, table.err.constData());
    QVERIFY2(table.out.contains(QByteArray(m_uuids.at(0).toLatin1() + " free")),
             table.out.constData());
}

void TestSwarmCommand::runStreamsOutputAndExitCode()
{
    // Output byte-exact, stdout and stderr apart, a last line without a newline, and the GPU the
    // task reserved in its environment.
    const QString script = QStringLiteral(
        "printf 'line one\\n\\303\\251\\342\\202\\254 two\\n'; printf 'to stderr\\n' >&2; "
        "tr '\\000' '\\n' < /proc/1/environ | grep '^DOCKER_RESOURCE_NVIDIA-GPU='; sleep 1; printf "
        "'no newline'; exit 3");
    QElapsedTimer timer;
    timer.start();
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("swarm output"), shell(script, 1))});
    QCOMPARE(run.exitCode, 3);
    const QList<QByteArray> lines = run.out.split('\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0), QByteArray("line one"));
    QCOMPARE(lines.at(1), QByteArray("\xc3\xa9\xe2\x82\xac two"));
    QVERIFY2(lines.at(2) == QByteArray("DOCKER_RESOURCE_NVIDIA-GPU=" + m_uuids.at(0).toLatin1())
                 || lines.at(2)
                        == QByteArray("DOCKER_RESOURCE_NVIDIA-GPU=" + m_uuids.at(1).toLatin1()),
             lines.at(2).constData());
    QCOMPARE(lines.at(3), QByteArray("no newline"));
    QCOMPARE(run.err, QByteArray("to stderr\n"));
    qInfo("swarm run of a one-task service: %lld ms", timer.elapsed());
}

void TestSwarmCommand::replicasEachGetAGpu()
{
    const QString script = QStringLiteral(
        "tr '\\000' '\\n' < /proc/1/environ | grep '^DOCKER_RESOURCE_NVIDIA-GPU='");
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("--replicas"),
         QStringLiteral("2"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("two replicas"), shell(script, 1))});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QStringList got = QString::fromLatin1(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    got.sort();
    QCOMPARE(got, (QStringList{QStringLiteral("DOCKER_RESOURCE_NVIDIA-GPU=") + m_uuids.at(0),
                               QStringLiteral("DOCKER_RESOURCE_NVIDIA-GPU=") + m_uuids.at(1)}));
}

// With replicas the exit code is the first non-zero one: here the second slot fails and the first
// succeeds, whichever ends first (the swarm expands the task's slot in its environment).
void TestSwarmCommand::aFailingReplicaSetsTheExitCode()
{
    LaunchSpec spec =
        shell(QStringLiteral("echo slot $SLOT; if [ \"$SLOT\" = 2 ]; then exit 5; fi"), 0);
    spec.env = {QStringLiteral("SLOT={{.Task.Slot}}")};
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("--replicas"), QStringLiteral("2"),
                                               QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("one fails"), spec)});
    QVERIFY2(run.exitCode == 5,
             qPrintable(
                 QStringLiteral("exit %1: %2").arg(run.exitCode).arg(QString::fromLatin1(run.err))));
    QStringList got = QString::fromLatin1(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    got.sort();
    QCOMPARE(got, (QStringList{QStringLiteral("slot 1"), QStringLiteral("slot 2")}));
}

void TestSwarmCommand::tooManyGpusIs125WithTheReason()
{
    QElapsedTimer timer;
    timer.start();
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("three gpus"), shell(QStringLiteral("true"), 3))});
    QCOMPARE(run.exitCode, 125);
    QVERIFY(timer.elapsed() < 30000);
    QVERIFY2(run.err.contains("insufficient resources"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    QCOMPARE(run.out, QByteArray());
}

void TestSwarmCommand::aTaskThatCannotStartIs125WithItsError()
{
    // The engine records exit code 127 for a task whose command does not exist, and the task
    // fails before its container starts: the launch failed, as a start failure of docker run.
    LaunchSpec spec = shell(QStringLiteral("true"), 0);
    spec.command = {QStringLiteral("/no/such/program")};
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("cannot start"), spec)});
    QVERIFY2(run.exitCode == 125, run.err.constData());
    QVERIFY2(run.err.contains("could not start the task")
                 && run.err.contains("starting container failed"),
             run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    QCOMPARE(run.out, QByteArray());
    // cleanup() checks that the service is gone.
}

void TestSwarmCommand::allGpusIsRefused()
{
    LaunchSpec spec = shell(QStringLiteral("true"), 0);
    spec.gpus = GpuSelection::all();
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("all on swarm"), spec)});
    QCOMPARE(run.exitCode, 125);
    QVERIFY2(run.err.contains("all GPUs"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
}

void TestSwarmCommand::detachLeavesTheService()
{
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("-d"),
         QStringLiteral("--preset"),
         writePreset(QStringLiteral("detached"), shell(QStringLiteral("sleep 30"), 0))});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString id = QString::fromLatin1(run.out.trimmed());
    QCOMPARE(services(), QStringList{id.left(12)});
    const TestEngine::CliResult inspect = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("inspect"), id});
    const QJsonObject spec =
        QJsonDocument::fromJson(inspect.out).array().at(0)[QStringLiteral("Spec")].toObject();
    QCOMPARE(spec[QStringLiteral("TaskTemplate")][QStringLiteral("RestartPolicy")]
                 [QStringLiteral("Condition")]
                     .toString(),
             QStringLiteral("none"));
    // Never DeviceRequests: services have none; the container spec carries no such field.
    QVERIFY(!inspect.out.contains("DeviceRequests"));
    TestEngine::docker({QStringLiteral("service"), QStringLiteral("rm"), id});
}

void TestSwarmCommand::pickedGpusReserveTheirCount()
{
    // A swarm cannot pin GPUs: picked devices reserve their number as NVIDIA-GPU generic
    // resources, and the launch says so on stderr.
    // (A task that ends at once: its GPUs are free again for the next test.)
    LaunchSpec spec = shell(QStringLiteral("true"), 0);
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("1")});
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("-d"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("picked"), spec)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("a swarm reserves 2 GPUs and chooses which"), run.err.constData());
    const QString id = QString::fromLatin1(run.out.trimmed());
    const TestEngine::CliResult inspect = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("inspect"), id});
    TestEngine::docker({QStringLiteral("service"), QStringLiteral("rm"), id});
    const QJsonObject task = QJsonDocument::fromJson(inspect.out)
                                 .array()
                                 .at(0)[QStringLiteral("Spec")][QStringLiteral("TaskTemplate")]
                                 .toObject();
    const QJsonArray generic = task[QStringLiteral("Resources")][QStringLiteral("Reservations")]
                                   [QStringLiteral("GenericResources")]
                                       .toArray();
    QCOMPARE(generic.size(), 1);
    QCOMPARE(
        generic.at(0)[QStringLiteral("DiscreteResourceSpec")][QStringLiteral("Kind")].toString(),
        QStringLiteral("NVIDIA-GPU"));
    QCOMPARE(generic.at(0)[QStringLiteral("DiscreteResourceSpec")][QStringLiteral("Value")].toInt(),
             2);
}

void TestSwarmCommand::interruptRemovesTheService()
{
    // Ctrl+C while the task runs: the service goes (cleanup() checks that none is left) and the
    // command ends as an interrupted one. (The task ends on the TERM its removal sends, so its GPU
    // is free again at once.)
    QProcess gpudeck;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
    gpudeck.setProcessEnvironment(env);
    gpudeck.start(
        QStringLiteral(GPUDECK_BINARY),
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("interrupted"),
                     shell(QStringLiteral(
                               "trap 'exit 143' TERM; echo started; while true; do sleep 1; done"),
                           1))});
    QVERIFY(gpudeck.waitForStarted());
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (!out.contains("started\n") && clock.elapsed() < 60000
           && gpudeck.state() == QProcess::Running) {
        gpudeck.waitForReadyRead(1000);
        out += gpudeck.readAllStandardOutput();
    }
    QVERIFY2(out.contains("started\n"), gpudeck.readAllStandardError().constData());
    QCOMPARE(services().size(), 1);
    QVERIFY(::kill(pid_t(gpudeck.processId()), SIGINT) == 0);
    QVERIFY(gpudeck.waitForFinished(30000));
    QCOMPARE(gpudeck.exitStatus(), QProcess::NormalExit);
    QCOMPARE(gpudeck.exitCode(), 130);
    QVERIFY2(gpudeck.readAllStandardError().contains("interrupted"),
             "no word of the interruption on stderr");
}

void TestSwarmCommand::doctorChecksTheAdvertisedGpus()
{
    // The node advertises the fake NVML's two GPUs; the toolkit's config is a file of the test's.
    const auto swarmCheck = [this](const QString &scenario, const QByteArray &toolkitConfig) {
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("config.toml")));
        if (!config.open(QIODevice::WriteOnly)
            || config.write(toolkitConfig) != toolkitConfig.size())
            return QJsonObject();
        config.close();
        QProcessEnvironment env;
        env.insert(QStringLiteral("GPUDECK_PRESET_DIR"),
                   m_dir.filePath(QStringLiteral("no-presets")));
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
        env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), scenario);
        env.insert(QStringLiteral("GPUDECK_TOOLKIT_CONFIG"), config.fileName());
        const TestEngine::CliResult run = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                 {QStringLiteral("doctor"),
                                                                  QStringLiteral("--json")},
                                                                 env);
        for (const QJsonValue &check :
             QJsonDocument::fromJson(run.out).object().value(QStringLiteral("checks")).toArray()) {
            if (check[QStringLiteral("id")].toString() == QLatin1String("swarm"))
                return check.toObject();
        }
        return QJsonObject();
    };

    const QJsonObject ready =
        swarmCheck(QStringLiteral("two"),
                   "disable-require = false\nswarm-resource = \"DOCKER_RESOURCE_NVIDIA-GPU\"\n");
    QCOMPARE(ready.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
    for (const QString &uuid : std::as_const(m_uuids))
        QVERIFY2(ready.value(QStringLiteral("detail")).toString().contains(uuid),
                 qPrintable(ready.value(QStringLiteral("detail")).toString()));

    // The toolkit's default leaves the setting commented out: tasks reserve GPUs and see none.
    const QJsonObject unset = swarmCheck(QStringLiteral("two"),
                                         "#swarm-resource = \"DOCKER_RESOURCE_GPU\"\n");
    QCOMPARE(unset.value(QStringLiteral("status")).toString(), QStringLiteral("warn"));
    QVERIFY2(unset.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QLatin1String("swarm-resource is not set")),
             qPrintable(unset.value(QStringLiteral("detail")).toString()));
    QCOMPARE(
        unset.value(QStringLiteral("command")).toString(),
        QStringLiteral(
            "sudo nvidia-ctk config --in-place --set swarm-resource=DOCKER_RESOURCE_NVIDIA-GPU"));

    // A host with more GPUs than the node advertises: the others cannot be reserved.
    const QJsonObject partial = swarmCheck(QStringLiteral("demo"),
                                           "swarm-resource = \"DOCKER_RESOURCE_NVIDIA-GPU\"\n");
    QCOMPARE(partial.value(QStringLiteral("status")).toString(), QStringLiteral("warn"));
    QVERIFY2(partial.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QLatin1String("GPU-00000000-0000-0000-0000-000000000020")),
             qPrintable(partial.value(QStringLiteral("detail")).toString()));
    QVERIFY2(partial.value(QStringLiteral("fix"))
                 .toString()
                 .contains(QLatin1String("node-generic-resources")),
             qPrintable(partial.value(QStringLiteral("fix")).toString()));
}

QTEST_GUILESS_MAIN(TestSwarmCommand)
#include "tst_swarmcommand.moc"
