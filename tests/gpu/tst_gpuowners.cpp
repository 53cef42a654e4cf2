#include "TestEngine.h"

#include "engine/ContainerDirectory.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "engine/EngineWatch.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

// Who is on the GPU, against the real sandboxed engine: a real container's processes (its PID 1
// and a child it started) and a plain host process are reported as GPU processes by the fake
// NVML library; `gpudeck gpus --json` names the container, and the user and command of the host
// process. In process, the directory asks the engine once per container and then follows its
// events: a steady 1 Hz refresh costs no engine call, a rename shows without one.
namespace {

QString containerPid(const QString &name)
{
    const auto r = TestEngine::docker(
        {QStringLiteral("inspect"), QStringLiteral("-f"), QStringLiteral("{{.State.Pid}}"), name});
    return QString::fromUtf8(r.out).trimmed();
}

// A child of pid (the container's `sleep` started in the background).
QString childOf(const QString &pid)
{
    const QStringList tasks =
        QDir(QStringLiteral("/proc/%1/task").arg(pid)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        QFile f(QStringLiteral("/proc/%1/task/%2/children").arg(pid, task));
        if (f.open(QIODevice::ReadOnly)) {
            const QByteArray children = f.readAll().trimmed();
            if (!children.isEmpty())
                return QString::fromLatin1(children.split(' ').first());
        }
    }
    return {};
}

} // namespace

class TestGpuOwners : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void commandNamesContainerAndHostProcess();
    void refreshCostsNoEngineCall();

private:
    QString m_name = QStringLiteral("gpudeck-owners-%1").arg(QCoreApplication::applicationPid());
    QString m_id;
    QString m_pid1;
    QString m_child;
    QProcess m_host;
};

void TestGpuOwners::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    const auto run = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), m_name,
         QStringLiteral("--network"), QStringLiteral("none"), QStringLiteral("gpudeck-test:latest"),
         QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 600 & exec sleep 601")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    m_id = QString::fromUtf8(run.out).trimmed();
    m_pid1 = containerPid(m_name);
    QVERIFY(!m_pid1.isEmpty() && m_pid1 != QLatin1String("0"));
    QVERIFY(QTest::qWaitFor([this]() { return !(m_child = childOf(m_pid1)).isEmpty(); }, 10000));
    m_host.start(QStringLiteral("sleep"), {QStringLiteral("600")});
    QVERIFY(m_host.waitForStarted());
}

void TestGpuOwners::cleanupTestCase()
{
    if (!m_name.isEmpty())
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_name});
    m_host.kill();
    m_host.waitForFinished();
}

void TestGpuOwners::commandNamesContainerAndHostProcess()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(
        QStringLiteral("GPUDECK_FAKE_NVML_PROCESSES"),
        QStringLiteral("%1:40960,%2:1024,%3:2048").arg(m_child, m_pid1).arg(m_host.processId()));
    const auto r = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                          {QStringLiteral("gpus"), QStringLiteral("--json")}, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray processes = QJsonDocument::fromJson(r.out)
                                     .object()
                                     .value(QStringLiteral("gpus"))
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(QStringLiteral("processes"))
                                     .toArray();
    QCOMPARE(processes.size(), 3);
    for (int i = 0; i < 2; ++i) { // the child first (not the container's PID 1), then PID 1
        const QJsonObject p = processes.at(i).toObject();
        const QJsonObject c = p.value(QStringLiteral("container")).toObject();
        QCOMPARE(c.value(QStringLiteral("id")).toString(), m_id);
        QCOMPARE(c.value(QStringLiteral("name")).toString(), m_name);
        QVERIFY2(c.value(QStringLiteral("image")).toString().contains(QLatin1String("gpudeck-test")),
                 r.out.constData());
        QCOMPARE(c.value(QStringLiteral("engine")).toString(), QStringLiteral("docker"));
        QCOMPARE(p.value(QStringLiteral("owner")).toString(),
                 m_name + QStringLiteral(" (container)"));
    }
    QCOMPARE(processes.at(0).toObject().value(QStringLiteral("command")).toString(),
             QStringLiteral("sleep 600"));
    QCOMPARE(processes.at(1).toObject().value(QStringLiteral("command")).toString(),
             QStringLiteral("sleep 601"));
    const QJsonObject host = processes.at(2).toObject();
    QVERIFY(host.value(QStringLiteral("container")).isNull());
    QCOMPARE(host.value(QStringLiteral("user")).toString(), QStringLiteral("root"));
    // QProcess started it by its full path.
    const QString command = host.value(QStringLiteral("command")).toString();
    QVERIFY2(command.endsWith(QLatin1String("sleep 600")), qPrintable(command));
    QCOMPARE(host.value(QStringLiteral("owner")).toString(), QStringLiteral("root: ") + command);
    QCOMPARE(host.value(QStringLiteral("usedMemoryBytes")).toDouble(), 2048.0 * 1024 * 1024);

    // The table form says the same.
    const auto table = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                              {QStringLiteral("gpus")}, env);
    QVERIFY2(table.out.contains((m_name + QStringLiteral(" (container)")).toUtf8()),
             table.out.constData());
    QVERIFY(table.out.contains(QStringLiteral("root: %1").arg(command).toUtf8()));
}

void TestGpuOwners::refreshCostsNoEngineCall()
{
    qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
    qputenv("GPUDECK_FAKE_NVML_PROCESSES", QStringLiteral("%1:40960").arg(m_child).toLatin1());
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint);
    DockerClient client(endpoint.value());
    EngineWatch watch(&client);
    ContainerDirectory directory(&client);
    connect(&watch, &EngineWatch::engineEvent, &directory, &ContainerDirectory::onEvent);
    QSignalSpy connected(&watch, &EngineWatch::connected);
    watch.start();
    QVERIFY(connected.wait(20000));

    GpuMonitor monitor;
    monitor.setInterval(50);
    monitor.setContainerDirectory(&directory);
    QString owner;
    int updates = 0;
    connect(&monitor, &GpuMonitor::updated, this, [&](const GpuSnapshot &s) {
        ++updates;
        if (!s.gpus.isEmpty() && !s.gpus.at(0).processes.isEmpty())
            owner = s.gpus.at(0).processes.at(0).ownerLabel();
    });
    monitor.start();
    QTRY_COMPARE_WITH_TIMEOUT(owner, m_name + QStringLiteral(" (container)"), 20000);
    QCOMPARE(directory.engineCalls(), 1);
    const int before = updates;
    QTRY_VERIFY_WITH_TIMEOUT(updates >= before + 10, 10000);
    QCOMPARE(directory.engineCalls(), 1); // ten refreshes, no engine call

    // A rename reaches the panel through the events stream, still without an inspect.
    const QString renamed = m_name + QStringLiteral("-renamed");
    QCOMPARE(TestEngine::docker({QStringLiteral("rename"), m_name, renamed}).exitCode, 0);
    m_name = renamed;
    QTRY_COMPARE_WITH_TIMEOUT(owner, renamed + QStringLiteral(" (container)"), 20000);
    QCOMPARE(directory.engineCalls(), 1);

    directory.markYours(m_id);
    QTRY_COMPARE_WITH_TIMEOUT(owner, renamed + QStringLiteral(" (yours)"), 10000);
    monitor.pause();
    qunsetenv("GPUDECK_FAKE_NVML_PROCESSES");
}

QTEST_GUILESS_MAIN(TestGpuOwners)
#include "tst_gpuowners.moc"
