// `gpudeck swarm` on a real two-node swarm (fixture swarm2, tests/scripts/test-swarm2.sh): two
// engines in network namespaces of their own, the manager advertising one stand-in GPU and the
// worker two. The scheduler places tasks by their GPU count: a task that reserves two can only run
// on the worker, and three one-GPU tasks take all three GPUs across both nodes. Each task shows the
// GPUs it got by reading /proc/1/environ (busybox sh drops DOCKER_RESOURCE_NVIDIA-GPU, a name
// with a '-'). No service is left behind.
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
#include <QMap>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class TestSwarmNodes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void nodesShowBothWithTheirGpus();
    void twoGpuTaskRunsOnTheWorker();
    void oneGpuReplicasTakeEveryGpu();
    void nodesNameTheTaskHoldingAGpu();
    void doctorFindsAnAdvertisedGpuTheHostLacks();
    void cleanup();

private:
    QString writePreset(const QString &name, int gpus);
    TestEngine::CliResult gpudeck(const QStringList &args);
    static QStringList uuidsOf(const QString &node);

    QTemporaryDir m_dir;
    QStringList m_manager; // the GPU UUIDs node a advertises
    QStringList m_worker;  // node b's
};

QStringList TestSwarmNodes::uuidsOf(const QString &node)
{
    QFile file(qEnvironmentVariable("GPUDECK_TEST_SWARM2_DIR") + QLatin1Char('/') + node
               + QStringLiteral("/gpu-uuids"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void TestSwarmNodes::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).mkpath(QStringLiteral("presets"));
    m_manager = uuidsOf(QStringLiteral("a"));
    m_worker = uuidsOf(QStringLiteral("b"));
    QCOMPARE(m_manager.size(), 1);
    QCOMPARE(m_worker.size(), 2);
}

void TestSwarmNodes::cleanup()
{
    const TestEngine::CliResult ls = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("-q")});
    QCOMPARE(ls.out, QByteArray());
}

QString TestSwarmNodes::writePreset(const QString &name, int gpus)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {
        QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral("tr '\\000' '\\n' < /proc/1/environ | grep '^DOCKER_RESOURCE_NVIDIA-GPU='")};
    spec.gpus = GpuSelection::ofCount(gpus);
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    return PresetStore::writeFile(path, Preset(name, spec).toFileBytes()) ? path : QString();
}

TestEngine::CliResult TestSwarmNodes::gpudeck(const QStringList &args)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

void TestSwarmNodes::nodesShowBothWithTheirGpus()
{
    const TestEngine::CliResult nodes = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("nodes"), QStringLiteral("--json")});
    QVERIFY2(nodes.exitCode == 0, nodes.err.constData());
    const QJsonArray list =
        QJsonDocument::fromJson(nodes.out).object().value(QStringLiteral("nodes")).toArray();
    QCOMPARE(list.size(), 2);
    QStringList roles;
    QList<QStringList> gpus;
    for (const QJsonValue &node : list) {
        QCOMPARE(node[QStringLiteral("state")].toString(), QStringLiteral("ready"));
        roles << node[QStringLiteral("role")].toString();
        QStringList uuids;
        for (const QJsonValue &gpu : node[QStringLiteral("gpus")].toArray())
            uuids << gpu[QStringLiteral("uuid")].toString();
        uuids.sort();
        QCOMPARE(node[QStringLiteral("gpuCount")].toInt(), uuids.size());
        gpus << uuids;
    }
    roles.sort();
    QCOMPARE(roles, (QStringList{QStringLiteral("leader"), QStringLiteral("worker")}));
    QVERIFY2(gpus.contains(m_manager) && gpus.contains(m_worker), nodes.out.constData());
}

void TestSwarmNodes::twoGpuTaskRunsOnTheWorker()
{
    // Only the worker has two GPUs: the scheduler places the task there, and it gets both.
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("two"), 2)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QByteArray line = run.out.trimmed();
    QVERIFY2(line.startsWith("DOCKER_RESOURCE_NVIDIA-GPU="), run.out.constData());
    QStringList got = QString::fromLatin1(line.mid(int(qstrlen("DOCKER_RESOURCE_NVIDIA-GPU="))))
                          .split(QLatin1Char(','));
    got.sort();
    QCOMPARE(got, m_worker);
}

void TestSwarmNodes::oneGpuReplicasTakeEveryGpu()
{
    // Three tasks of one GPU each: every GPU of the swarm, on both nodes, once.
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("swarm"), QStringLiteral("run"), QStringLiteral("--replicas"),
         QStringLiteral("3"), QStringLiteral("--preset"), writePreset(QStringLiteral("one"), 1)});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QStringList got;
    for (const QString &line :
         QString::fromLatin1(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        got << line.section(QLatin1Char('='), 1);
    got.sort();
    QStringList all = m_manager + m_worker;
    all.sort();
    QCOMPARE(got, all);
}

void TestSwarmNodes::nodesNameTheTaskHoldingAGpu()
{
    // A running two-GPU task (on the worker, the only node with two): swarm nodes names it as the
    // holder of both of the worker's GPUs, and the manager's GPU stays free.
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("trap 'exit 143' TERM; while true; do sleep 1; done")};
    spec.gpus = GpuSelection::ofCount(2);
    const QString path = m_dir.filePath(QStringLiteral("presets/holder.json"));
    QVERIFY(
        PresetStore::writeFile(path, Preset(QStringLiteral("holder"), spec).toFileBytes()).ok());
    const TestEngine::CliResult run = gpudeck({QStringLiteral("swarm"), QStringLiteral("run"),
                                               QStringLiteral("-d"), QStringLiteral("--preset"),
                                               path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString service = QString::fromLatin1(run.out.trimmed());
    const auto removeService = qScopeGuard([&service]() {
        TestEngine::docker({QStringLiteral("service"), QStringLiteral("rm"), service});
    });

    QMap<QString, QJsonValue> holders; // GPU UUID -> its "task"
    QElapsedTimer clock;
    clock.start();
    const auto workerHeld = [&holders, this]() {
        return std::all_of(m_worker.cbegin(), m_worker.cend(), [&holders](const QString &uuid) {
            return holders.value(uuid).isObject();
        });
    };
    while (clock.elapsed() < 60000) {
        const TestEngine::CliResult nodes = gpudeck(
            {QStringLiteral("swarm"), QStringLiteral("nodes"), QStringLiteral("--json")});
        QVERIFY2(nodes.exitCode == 0, nodes.err.constData());
        holders.clear();
        for (const QJsonValue &node :
             QJsonDocument::fromJson(nodes.out).object().value(QStringLiteral("nodes")).toArray()) {
            for (const QJsonValue &gpu : node[QStringLiteral("gpus")].toArray())
                holders.insert(gpu[QStringLiteral("uuid")].toString(), gpu[QStringLiteral("task")]);
        }
        if (workerHeld())
            break;
        QTest::qWait(200); // the task is being scheduled and started
    }
    QVERIFY2(workerHeld(), "the worker's GPUs were not shown as held within 60 s");
    const QString serviceName =
        holders.value(m_worker.first())[QStringLiteral("service")].toString();
    QVERIFY(!serviceName.isEmpty());
    QCOMPARE(holders.value(m_worker.last())[QStringLiteral("service")].toString(), serviceName);
    QCOMPARE(holders.value(m_worker.first())[QStringLiteral("name")].toString(),
             serviceName + QStringLiteral(".1"));
    QVERIFY(holders.value(m_manager.first()).isNull());
}

void TestSwarmNodes::doctorFindsAnAdvertisedGpuTheHostLacks()
{
    // The manager advertises a GPU this host (the fake NVML's two) does not have: a task that
    // reserves it would get no GPU, so the doctor fails and gives the daemon.json line to use.
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    env.insert(QStringLiteral("GPUDECK_TOOLKIT_CONFIG"),
               QStringLiteral("/nonexistent/config.toml"));
    const TestEngine::CliResult run = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("doctor"), QStringLiteral("--json")}, env);
    QVERIFY(run.exitCode != 0);
    QJsonObject swarm;
    for (const QJsonValue &check :
         QJsonDocument::fromJson(run.out).object().value(QStringLiteral("checks")).toArray()) {
        if (check[QStringLiteral("id")].toString() == QLatin1String("swarm"))
            swarm = check.toObject();
    }
    QCOMPARE(swarm.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    QVERIFY2(swarm.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QStringLiteral("the host has no GPU ") + m_manager.first()),
             run.out.constData());
    QVERIFY2(swarm.value(QStringLiteral("fix"))
                 .toString()
                 .contains(
                     QLatin1String("\"node-generic-resources\": "
                                   "[\"NVIDIA-GPU=GPU-00000000-0000-0000-0000-000000000000\"")),
             run.out.constData());
}

QTEST_GUILESS_MAIN(TestSwarmNodes)
#include "tst_swarmnodes.moc"
