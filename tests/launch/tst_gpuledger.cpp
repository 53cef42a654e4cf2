// The engine as the GPU ledger (issue 27): the give-way rule both sides apply, and against the
// real engine with two stand-in GPUs (a fake nvidia-smi): a claim made by another client (the
// docker CLI creating a labelled container) keeps a free-GPU launch off its GPU, and a launch
// whose claim overlaps an earlier one removes its container and picks again.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/FreeGpuPicker.h"
#include "launch/GpuLedger.h"
#include "launch/Launcher.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

GpuLedger::Claim claim(const QString &id, const QString &state, const QDateTime &created,
                       const QStringList &uuids)
{
    GpuLedger::Claim c;
    c.id = id;
    c.name = QStringLiteral("c-") + id;
    c.state = state;
    c.created = created;
    c.uuids = uuids;
    return c;
}

QString label()
{
    return ContainerRecord::gpusLabel();
}

} // namespace

Q_DECLARE_METATYPE(GpuLedger::Claim)

class TestGpuLedger : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void exactlyOneOfTwoOverlappingClaimsGivesWay_data();
    void exactlyOneOfTwoOverlappingClaimsGivesWay();
    void claimsLapseAndRunningOnesAreHolders();
    void aClaimOfAnotherClientKeepsThePickOff();
    void bothClaimedRefusalNamesTheClaimers();
    void anOverlappingEarlierClaimMakesTheLaunchGiveWay();

private:
    LaunchSpec freeSpec(int count) const;
    // docker create with a claim on uuids; returns the id.
    QString claimWithCli(const QString &name, const QString &uuids);

    FakeSmi m_smi;
    QByteArray m_oldPath;
    std::unique_ptr<DockerClient> m_client;
    std::unique_ptr<GpuInventory> m_inventory;
    QStringList m_names;
};

void TestGpuLedger::initTestCase()
{
    // Two idle stand-in GPUs; this process reads them through the fake nvidia-smi.
    m_smi.writeTwoIdleGpus();
    GPUDECK_REQUIRE_ENGINE();
    if (TestEngine::isRemote())
        QSKIP("the fake nvidia-smi answers for this machine only");
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    m_oldPath = qgetenv("PATH");
    qputenv("PATH", m_smi.pathOnly());
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint.ok());
    m_client = std::make_unique<DockerClient>(endpoint.value());
    m_inventory = std::make_unique<GpuInventory>();
}

void TestGpuLedger::cleanup()
{
    if (!m_names.isEmpty())
        TestEngine::docker(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_names);
    m_names.clear();
}

LaunchSpec TestGpuLedger::freeSpec(int count) const
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofFree(count);
    spec.networkMode = QStringLiteral("none");
    return spec;
}

QString TestGpuLedger::claimWithCli(const QString &name, const QString &uuids)
{
    const QString full = QStringLiteral("%1-%2").arg(name).arg(QCoreApplication::applicationPid());
    m_names << full;
    const TestEngine::CliResult created = TestEngine::docker(
        {QStringLiteral("create"), QStringLiteral("--name"), full, QStringLiteral("--label"),
         label() + QLatin1Char('=') + uuids, QStringLiteral("--network"), QStringLiteral("none"),
         kImage, QStringLiteral("nvidia-smi")});
    return created.exitCode == 0 ? QString::fromLatin1(created.out.trimmed()) : QString();
}

void TestGpuLedger::exactlyOneOfTwoOverlappingClaimsGivesWay_data()
{
    const QDateTime t = QDateTime::currentDateTimeUtc();
    const QStringList a{QStringLiteral("GPU-a")};
    const QStringList ab{QStringLiteral("GPU-a"), QStringLiteral("GPU-b")};
    QTest::addColumn<GpuLedger::Claim>("first");
    QTest::addColumn<GpuLedger::Claim>("second");
    QTest::addColumn<int>("givingWay"); // 0: none, 1: first, 2: second
    QTest::newRow("earlier created keeps")
        << claim(QStringLiteral("bbb"), QStringLiteral("created"), t.addMSecs(-5), a)
        << claim(QStringLiteral("aaa"), QStringLiteral("created"), t, ab) << 2;
    QTest::newRow("same time: the smaller id keeps")
        << claim(QStringLiteral("bbb"), QStringLiteral("created"), t, ab)
        << claim(QStringLiteral("aaa"), QStringLiteral("created"), t, a) << 1;
    QTest::newRow("no overlap: both keep")
        << claim(QStringLiteral("aaa"), QStringLiteral("created"), t, a)
        << claim(QStringLiteral("bbb"), QStringLiteral("created"), t, {QStringLiteral("GPU-b")})
        << 0;
    QTest::newRow("a running one keeps, though created later")
        << claim(QStringLiteral("aaa"), QStringLiteral("created"), t.addSecs(-1), a)
        << claim(QStringLiteral("bbb"), QStringLiteral("running"), t, a) << 1;
    QTest::newRow("a lapsed claim takes nothing")
        << claim(QStringLiteral("aaa"), QStringLiteral("created"), t.addSecs(-40), a)
        << claim(QStringLiteral("bbb"), QStringLiteral("created"), t, a) << 1;
}

void TestGpuLedger::exactlyOneOfTwoOverlappingClaimsGivesWay()
{
    QFETCH(GpuLedger::Claim, first);
    QFETCH(GpuLedger::Claim, second);
    QFETCH(int, givingWay);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool firstGives = GpuLedger::givesWay(first, second, now);
    const bool secondGives = GpuLedger::givesWay(second, first, now);
    QCOMPARE(firstGives, givingWay == 1);
    QCOMPARE(secondGives, givingWay == 2);
}

void TestGpuLedger::claimsLapseAndRunningOnesAreHolders()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<GpuLedger::Claim> claims{
        claim(QStringLiteral("a"), QStringLiteral("created"), now.addSecs(-2),
              {QStringLiteral("GPU-a")}),
        claim(QStringLiteral("b"), QStringLiteral("created"),
              now.addSecs(-GpuLedger::kClaimSeconds - 1), {QStringLiteral("GPU-b")}),
        claim(QStringLiteral("c"), QStringLiteral("running"), now.addSecs(-100),
              {QStringLiteral("GPU-c")}),
        claim(QStringLiteral("d"), QStringLiteral("exited"), now, {QStringLiteral("GPU-d")}),
        claim(QStringLiteral("e"), QStringLiteral("created"), now, {QStringLiteral("GPU-a")})};
    const QHash<QString, QString> claimed = GpuLedger::claimedBy(claims, QStringLiteral("e"), now);
    QCOMPARE(claimed, (QHash<QString, QString>{{QStringLiteral("GPU-a"), QStringLiteral("c-a")}}));
}

// A container another client created with a claim on GPU 0 (and did not start yet): the
// launch takes GPU 1.
void TestGpuLedger::aClaimOfAnotherClientKeepsThePickOff()
{
    QVERIFY(!claimWithCli(QStringLiteral("ledger-other"), QStringLiteral("GPU-aaaa")).isEmpty());
    Launcher launcher(m_client.get());
    launcher.setGpuInventory(m_inventory.get());
    QByteArray out;
    connect(&launcher, &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &data) { out += data; });
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(freeSpec(1));
    QVERIFY(finished.wait(60000));
    QVERIFY2(launcher.state() == Launcher::State::Exited, qPrintable(launcher.error().message()));
    QCOMPARE(out, QByteArray("NVIDIA_VISIBLE_DEVICES=GPU-bbbb\nNVIDIA_DRIVER_CAPABILITIES=\n"));
}

void TestGpuLedger::bothClaimedRefusalNamesTheClaimers()
{
    QVERIFY(!claimWithCli(QStringLiteral("ledger-one"), QStringLiteral("GPU-aaaa")).isEmpty());
    // By index, as a launch of explicit devices writes its claim.
    QVERIFY(!claimWithCli(QStringLiteral("ledger-two"), QStringLiteral("1")).isEmpty());
    Launcher launcher(m_client.get());
    launcher.setGpuInventory(m_inventory.get());
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(freeSpec(1));
    QVERIFY(finished.wait(60000));
    QCOMPARE(launcher.state(), Launcher::State::Failed);
    const QString message = launcher.error().message();
    const QString pid = QString::number(QCoreApplication::applicationPid());
    QVERIFY2(message.contains(
                 QStringLiteral("GPU 0: claimed by ledger-one-%1 (starting)").arg(pid)),
             qPrintable(message));
    QVERIFY2(message.contains(
                 QStringLiteral("GPU 1: claimed by ledger-two-%1 (starting)").arg(pid)),
             qPrintable(message));
}

// Another client claims the GPU this launch just picked, before this launch's create (the
// moment two launches pick at once): the launch sees the earlier claim after its create, removes
// its container, picks again and runs on the other GPU.
void TestGpuLedger::anOverlappingEarlierClaimMakesTheLaunchGiveWay()
{
    Launcher launcher(m_client.get());
    launcher.setGpuInventory(m_inventory.get());
    QByteArray out;
    QStringList created;
    QString gaveWayTo;
    bool claimed = false;
    connect(&launcher, &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &data) { out += data; });
    connect(&launcher, &Launcher::containerCreated, this,
            [&created](const QString &id) { created << id; });
    connect(&launcher, &Launcher::gaveWay, this,
            [&gaveWayTo](const QString &holder) { gaveWayTo = holder; });
    connect(&launcher, &Launcher::gpusTaken, this, [&]() {
        if (claimed)
            return;
        claimed = true;
        QCOMPARE(launcher.takenGpus().size(), 1);
        QCOMPARE(launcher.takenGpus().first().uuid, QStringLiteral("GPU-aaaa"));
        QVERIFY(
            !claimWithCli(QStringLiteral("ledger-earlier"), QStringLiteral("GPU-aaaa")).isEmpty());
    });
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(freeSpec(1));
    QVERIFY(finished.wait(60000));
    QVERIFY2(launcher.state() == Launcher::State::Exited, qPrintable(launcher.error().message()));
    QCOMPARE(gaveWayTo,
             QStringLiteral("ledger-earlier-%1").arg(QCoreApplication::applicationPid()));
    QCOMPARE(out, QByteArray("NVIDIA_VISIBLE_DEVICES=GPU-bbbb\nNVIDIA_DRIVER_CAPABILITIES=\n"));
    // Its first container is gone: it gave the claim back.
    QCOMPARE(created.size(), 2);
    QCOMPARE(TestEngine::docker({QStringLiteral("inspect"), created.first()}).exitCode, 1);
    QVERIFY(FreeGpuPicker::reserved(m_client->endpoint().url).isEmpty());
}

QTEST_GUILESS_MAIN(TestGpuLedger)
#include "tst_gpuledger.moc"
