// Free-GPU picks over the engines of one GPU host (issue 24): two real dockerds run on this
// machine (the sandboxed engine, and the TLS engine through its unix socket), which has two
// stand-in GPUs (a fake nvidia-smi). A container of the other engine that holds GPU 0 idle (sleep)
// keeps a "Free 1 GPU" launch on the engine off it, from the Launcher and from `gpudeck run`;
// with both GPUs held the refusal names that container; an engine of the host that cannot be
// reached is left out; two launches of one process on the two engines take two GPUs; a claim
// of a launch on the other engine (a created container with the GPUs label) keeps the pick off,
// and one made there just before our create makes ours give way and pick again.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "containers/ContainerLister.h"
#include "containers/ContainerRecord.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/Launcher.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

// The other engine of this machine.
QString otherHost()
{
    return qEnvironmentVariable("GPUDECK_TEST_OTHER_HOST");
}

QByteArray visibleDevices(const QByteArray &uuid)
{
    return "NVIDIA_VISIBLE_DEVICES=" + uuid + "\nNVIDIA_DRIVER_CAPABILITIES=\n";
}

} // namespace

class TestHostHolders : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void anIdleContainerOfTheOtherEngineKeepsThePickOff();
    void bothHeldOnTheOtherEngineRefusalNamesItsContainer();
    void anEngineThatNeverAnswersIsLeftOutAtTheDeadline();
    void gpudeckRunSeesTheOtherEngineItKnows();
    void twoLaunchesOnTwoEnginesTakeTwoGpus();
    void aClaimOnTheOtherEngineKeepsThePickOff();
    void aClaimMadeThereJustBeforeOursWins();

private:
    LaunchSpec freeSpec() const;
    // A container of the other engine that sleeps holding these GPUs; its name.
    QString holdOnOther(const QStringList &uuids);
    // A claim on the other engine as a launch of GPU Deck makes it: a created container with the
    // GPUs label, not started; its name.
    QString claimOnOther(const QString &uuid);
    // A "Free 1 GPU" launch of nvidia-smi on the engine, the host's other engines given.
    std::unique_ptr<Launcher> launchOnEngine(const QList<QPointer<DockerClient>> &others,
                                             QByteArray *out);

    FakeSmi m_smi;
    QTemporaryDir m_dir;
    const QStringList m_uuids{QStringLiteral("GPU-aaaa"), QStringLiteral("GPU-bbbb")};
    std::unique_ptr<DockerClient> m_engine;
    std::unique_ptr<DockerClient> m_other;
    std::unique_ptr<DockerClient> m_unreachable; // a third engine of this machine, not there
    std::unique_ptr<GpuInventory> m_inventory;
    QStringList m_holders;
};

void TestHostHolders::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    if (TestEngine::isRemote())
        QSKIP("the fake nvidia-smi answers for this machine only");
    QVERIFY2(otherHost().startsWith(QLatin1String("unix://")), "GPUDECK_TEST_OTHER_HOST unset");
    m_smi.writeTwoIdleGpus(m_uuids.at(0).toLatin1(), m_uuids.at(1).toLatin1());
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    qputenv("PATH", m_smi.pathOnly());
    const Result<Endpoint> engine = EndpointResolver::resolve(TestEngine::host());
    const Result<Endpoint> other = EndpointResolver::fromUrl(otherHost(), QStringLiteral("test"));
    const Result<Endpoint> gone = EndpointResolver::fromUrl(
        QStringLiteral("unix://") + m_dir.filePath(QStringLiteral("gone.sock")),
        QStringLiteral("test"));
    QVERIFY(engine.ok() && other.ok() && gone.ok());
    m_engine = std::make_unique<DockerClient>(engine.value());
    m_other = std::make_unique<DockerClient>(other.value());
    m_unreachable = std::make_unique<DockerClient>(gone.value());
    m_inventory = std::make_unique<GpuInventory>();
}

void TestHostHolders::cleanup()
{
    for (const QString &name : std::as_const(m_holders)) {
        bool done = false;
        m_other->removeContainer(name, true, this, [&done](const Result<void> &) { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    }
    m_holders.clear();
}

LaunchSpec TestHostHolders::freeSpec() const
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofFree(1);
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = true;
    return spec;
}

QString TestHostHolders::holdOnOther(const QStringList &uuids)
{
    const QString name = QStringLiteral("hostholder-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(m_holders.size());
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sleep"), QStringLiteral("300")};
    spec.gpus = GpuSelection::ofDevices(uuids);
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = false;
    spec.containerName = name;
    m_holders << name;
    Launcher holder(m_other.get());
    QSignalSpy finished(&holder, &Launcher::finished);
    holder.launch(spec, true);
    if (!finished.wait(60000) || holder.state() != Launcher::State::Exited) {
        qWarning("the holder did not start: %s", qPrintable(holder.error().message()));
        return {};
    }
    return name;
}

QString TestHostHolders::claimOnOther(const QString &uuid)
{
    const QString name = QStringLiteral("hostclaim-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(m_holders.size());
    m_holders << name;
    QProcess create;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), otherHost());
    env.remove(QStringLiteral("DOCKER_TLS_VERIFY"));
    create.setProcessEnvironment(env);
    create.start(QStringLiteral("/usr/bin/docker"),
                 {QStringLiteral("create"), QStringLiteral("--network"), QStringLiteral("none"),
                  QStringLiteral("--name"), name, QStringLiteral("--label"),
                  ContainerRecord::gpusLabel() + QLatin1Char('=') + uuid, kImage,
                  QStringLiteral("sleep"), QStringLiteral("300")});
    if (!create.waitForFinished(60000) || create.exitCode() != 0) {
        qWarning("the claim was not made: %s", create.readAllStandardError().constData());
        return {};
    }
    return name;
}

std::unique_ptr<Launcher> TestHostHolders::launchOnEngine(
    const QList<QPointer<DockerClient>> &others, QByteArray *out)
{
    auto launcher = std::make_unique<Launcher>(m_engine.get());
    launcher->setGpuInventory(m_inventory.get());
    launcher->setHostEngines(others);
    connect(launcher.get(), &Launcher::output, this,
            [out](StreamDemuxer::Channel, const QByteArray &data) { *out += data; });
    QSignalSpy finished(launcher.get(), &Launcher::finished);
    launcher->launch(freeSpec());
    if (!finished.wait(60000))
        qWarning("the launch on the engine did not finish");
    return launcher;
}

// GPU 0 held by an idle container of the other engine: alone, the engine's launch sees nothing on
// GPU 0 and takes it; given the host's other engines (that one, and one that is not there) it
// takes GPU 1.
void TestHostHolders::anIdleContainerOfTheOtherEngineKeepsThePickOff()
{
    QVERIFY(!holdOnOther({m_uuids.at(0)}).isEmpty());

    QByteArray alone;
    const std::unique_ptr<Launcher> blind = launchOnEngine({}, &alone);
    QVERIFY2(blind->state() == Launcher::State::Exited, qPrintable(blind->error().message()));
    QCOMPARE(alone, visibleDevices(m_uuids.at(0).toLatin1()));

    QByteArray out;
    const std::unique_ptr<Launcher> launcher = launchOnEngine({m_other.get(), m_unreachable.get()},
                                                              &out);
    QVERIFY2(launcher->state() == Launcher::State::Exited, qPrintable(launcher->error().message()));
    QCOMPARE(launcher->takenGpus().size(), 1);
    QCOMPARE(launcher->takenGpus().first().uuid, m_uuids.at(1));
    QCOMPARE(out, visibleDevices(m_uuids.at(1).toLatin1()));
}

void TestHostHolders::bothHeldOnTheOtherEngineRefusalNamesItsContainer()
{
    const QString holder = holdOnOther(m_uuids);
    QVERIFY(!holder.isEmpty());
    QByteArray out;
    const std::unique_ptr<Launcher> launcher = launchOnEngine({m_unreachable.get(), m_other.get()},
                                                              &out);
    QCOMPARE(launcher->state(), Launcher::State::Failed);
    QCOMPARE(launcher->failureExitCode(), 125);
    const QString message = launcher->error().message();
    QVERIFY2(message.contains(holder), qPrintable(message));
    QVERIFY(out.isEmpty());
}

// An engine of the host that takes the connection and never answers (a hung socket): the launch
// waits for it no longer than ContainerLister::kOthersDeadlineMs, then picks without it.
void TestHostHolders::anEngineThatNeverAnswersIsLeftOutAtTheDeadline()
{
    QLocalServer silent;
    const QString path = m_dir.filePath(QStringLiteral("silent.sock"));
    QVERIFY(silent.listen(path));
    QList<QLocalSocket *> kept; // accepted, read from by nobody
    connect(&silent, &QLocalServer::newConnection, this, [&]() {
        while (QLocalSocket *socket = silent.nextPendingConnection())
            kept << socket;
    });
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(QStringLiteral("unix://") + path,
                                                                QStringLiteral("test"));
    QVERIFY(endpoint.ok());
    DockerClient hung(endpoint.value());
    QVERIFY(!holdOnOther({m_uuids.at(0)}).isEmpty());
    QByteArray out;
    QElapsedTimer took;
    took.start();
    const std::unique_ptr<Launcher> launcher = launchOnEngine({&hung, m_other.get()}, &out);
    QVERIFY2(launcher->state() == Launcher::State::Exited, qPrintable(launcher->error().message()));
    QVERIFY(!kept.isEmpty()); // it was asked
    QVERIFY2(took.elapsed() >= ContainerLister::kOthersDeadlineMs,
             qPrintable(QString::number(took.elapsed())));
    QCOMPARE(out, visibleDevices(m_uuids.at(1).toLatin1()));
}

// gpudeck run knows the other engine from DOCKER_HOST while -H picks the engine: the same pick.
void TestHostHolders::gpudeckRunSeesTheOtherEngineItKnows()
{
    QVERIFY(!holdOnOther({m_uuids.at(0)}).isEmpty());
    const QString preset = m_dir.filePath(QStringLiteral("free-one.json"));
    QVERIFY(PresetStore::writeFile(
        preset, Preset(QStringLiteral("host holders free one"), freeSpec()).toFileBytes()));
    QProcess run;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"), m_smi.dir() + QStringLiteral(":/usr/bin:/bin"));
    env.insert(QStringLiteral("DOCKER_HOST"), otherHost());
    env.remove(QStringLiteral("DOCKER_TLS_VERIFY"));
    // No docker contexts, Podman connections or added engines of the user's.
    env.insert(QStringLiteral("HOME"), m_dir.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.path());
    env.remove(QStringLiteral("DOCKER_CONTEXT"));
    run.setProcessEnvironment(env);
    run.start(QStringLiteral(GPUDECK_BINARY),
              {QStringLiteral("-H"), TestEngine::host(), QStringLiteral("run"),
               QStringLiteral("--preset"), preset});
    QVERIFY(run.waitForFinished(60000));
    const QByteArray err = run.readAllStandardError();
    QVERIFY2(run.exitCode() == 0, err.constData());
    QCOMPARE(run.readAllStandardOutput(), visibleDevices(m_uuids.at(1).toLatin1()));
}

// One process, a "Free 1 GPU" launch on each engine at once, neither told of the other engine:
// the GPU the first takes is reserved for the machine, not for its engine, so the second takes
// the other GPU (each engine's claims are its own, and neither container exists yet when the
// other picks).
void TestHostHolders::twoLaunchesOnTwoEnginesTakeTwoGpus()
{
    LaunchSpec spec = freeSpec();
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("nvidia-smi; sleep 2")};
    GpuInventory otherInventory;
    Launcher first(m_engine.get());
    Launcher second(m_other.get());
    first.setGpuInventory(m_inventory.get());
    second.setGpuInventory(&otherInventory);
    QByteArray firstOut;
    QByteArray secondOut;
    connect(&first, &Launcher::output, this,
            [&firstOut](StreamDemuxer::Channel, const QByteArray &data) { firstOut += data; });
    connect(&second, &Launcher::output, this,
            [&secondOut](StreamDemuxer::Channel, const QByteArray &data) { secondOut += data; });
    QSignalSpy firstDone(&first, &Launcher::finished);
    QSignalSpy secondDone(&second, &Launcher::finished);
    first.launch(spec);
    second.launch(spec);
    QTRY_VERIFY_WITH_TIMEOUT(firstDone.size() == 1 && secondDone.size() == 1, 60000);
    QVERIFY2(first.state() == Launcher::State::Exited, qPrintable(first.error().message()));
    QVERIFY2(second.state() == Launcher::State::Exited, qPrintable(second.error().message()));
    QCOMPARE(first.takenGpus().size(), 1);
    QCOMPARE(second.takenGpus().size(), 1);
    const QByteArray both = firstOut + secondOut;
    QVERIFY2(first.takenGpus().first().uuid != second.takenGpus().first().uuid, both.constData());
    // Each container saw the GPU its launch took.
    QCOMPARE(firstOut, visibleDevices(first.takenGpus().first().uuid.toLatin1()));
    QCOMPARE(secondOut, visibleDevices(second.takenGpus().first().uuid.toLatin1()));
}

// A launch on the other engine claimed GPU 0 (created, not started yet): a pick that knows the
// other engine takes GPU 1.
void TestHostHolders::aClaimOnTheOtherEngineKeepsThePickOff()
{
    QVERIFY(!claimOnOther(m_uuids.at(0)).isEmpty());
    QByteArray out;
    const std::unique_ptr<Launcher> launcher = launchOnEngine({m_other.get()}, &out);
    QVERIFY2(launcher->state() == Launcher::State::Exited, qPrintable(launcher->error().message()));
    QCOMPARE(out, visibleDevices(m_uuids.at(1).toLatin1()));
}

// Our pick saw no claim; a launch on the other engine then claims the same GPU before our create
// (made here when ours has picked). Its create is earlier, so ours gives way once its own engine
// agrees, and picks again: the other GPU.
void TestHostHolders::aClaimMadeThereJustBeforeOursWins()
{
    auto launcher = std::make_unique<Launcher>(m_engine.get());
    launcher->setGpuInventory(m_inventory.get());
    launcher->setHostEngines({m_other.get()});
    QByteArray out;
    QString claim;
    QStringList gaveWayTo;
    connect(launcher.get(), &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &data) { out += data; });
    connect(launcher.get(), &Launcher::gaveWay, this,
            [&gaveWayTo](const QString &holder) { gaveWayTo << holder; });
    connect(launcher.get(), &Launcher::gpusTaken, this, [&]() {
        if (claim.isEmpty()) // the first pick only
            claim = claimOnOther(launcher->takenGpus().first().uuid);
    });
    QSignalSpy finished(launcher.get(), &Launcher::finished);
    launcher->launch(freeSpec());
    QVERIFY(finished.wait(60000));
    QVERIFY2(launcher->state() == Launcher::State::Exited, qPrintable(launcher->error().message()));
    QVERIFY(!claim.isEmpty());
    QCOMPARE(gaveWayTo, QStringList{claim});
    QCOMPARE(launcher->takenGpus().first().uuid, m_uuids.at(1));
    QCOMPARE(out, visibleDevices(m_uuids.at(1).toLatin1()));
}

QTEST_GUILESS_MAIN(TestHostHolders)
#include "tst_hostholders.moc"
