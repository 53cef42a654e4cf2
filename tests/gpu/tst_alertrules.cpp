#include "gpu/AlertRules.h"

#include <QTest>

// A scripted hour played in fast time through AlertRules: each alert fires once, at the right
// second, with the right words, and not again.
class TestAlertRules : public QObject
{
    Q_OBJECT
private slots:
    void scriptedHourFiresEachAlertOnce();
    void idleAgainAfterWorking();
    void switchedOffSaysNothing();
    void xidErrorNamesGpuAndContainer();
    void launchFinishedOnlyWhileAway_data();
    void launchFinishedOnlyWhileAway();
};

namespace {

constexpr qint64 kGiB = 1LL << 30;
const qint64 kStart = 1'700'000'000'000LL;

GpuInfo::Process inContainer(qint64 pid, const QString &name, QChar idChar)
{
    GpuInfo::Process p;
    p.pid = pid;
    p.usedMemory = 10 * kGiB;
    p.container.id = QString(64, idChar);
    p.container.name = name;
    return p;
}

// Minute m, second s of the script:
//   GPU 0: train-llm from the start to minute 50, busy 10 minutes then at 0 %; eval-job from
//          minute 30 to 50 also there (idle only 20 minutes: no alert of its own)
//   GPU 1: alice's python throughout at 0 % (not a container: no idle alert); thermal
//          throttling minutes 20-24, power capping minute 30; 2 uncorrected ECC errors at 45
GpuSnapshot at(int second)
{
    const int m = second / 60;
    GpuSnapshot snap;
    snap.taken = QDateTime::fromMSecsSinceEpoch(kStart + second * 1000LL, Qt::UTC);
    GpuInfo g0;
    g0.index = 0;
    g0.uuid = QStringLiteral("GPU-0");
    g0.name = QStringLiteral("NVIDIA H100");
    g0.processesKnown = true;
    g0.gpuUtil = m < 10 ? 90 : 0;
    g0.eccUncorrected = 0;
    g0.throttleReasons = 0;
    if (m < 50)
        g0.processes << inContainer(100, QStringLiteral("train-llm"), QLatin1Char('a'));
    if (m >= 30 && m < 50)
        g0.processes << inContainer(200, QStringLiteral("eval-job"), QLatin1Char('b'));
    GpuInfo g1;
    g1.index = 1;
    g1.uuid = QStringLiteral("GPU-1");
    g1.name = QStringLiteral("NVIDIA H100");
    g1.processesKnown = true;
    g1.gpuUtil = 0;
    g1.temperature = 91;
    GpuInfo::Process alice;
    alice.pid = 300;
    alice.usedMemory = kGiB;
    alice.user = QStringLiteral("alice");
    alice.command = QStringLiteral("python train.py");
    g1.processes << alice;
    g1.eccUncorrected = m >= 45 ? 2 : 0;
    g1.throttleReasons = (m >= 20 && m < 25) ? 0x20 : m == 30 ? 0x4 : 0x1; // 0x1: GPU idle
    snap.gpus << g0 << g1;
    return snap;
}

QList<GpuAlert> play(AlertRules &rules, int from, int to)
{
    QList<GpuAlert> all;
    for (int s = from; s < to; ++s)
        all += rules.check(at(s));
    return all;
}

} // namespace

void TestAlertRules::scriptedHourFiresEachAlertOnce()
{
    AlertRules rules;
    const QList<GpuAlert> alerts = play(rules, 0, 3600);
    QStringList said;
    for (const GpuAlert &a : alerts)
        said << QStringLiteral("%1: %2").arg((a.msecs - kStart) / 1000).arg(a.text);
    const QString all = said.join(QLatin1Char('\n'));
    QCOMPARE(alerts.size(), 5);

    QCOMPARE(alerts.at(0).kind, GpuAlert::Kind::Throttling);
    QCOMPARE(alerts.at(0).msecs, kStart + 20 * 60000);
    QCOMPARE(alerts.at(0).text, QStringLiteral("GPU 1 (NVIDIA H100) is slowing down for heat at "
                                               "91 °C; on it: alice: python train.py."));
    QCOMPARE(alerts.at(1).kind, GpuAlert::Kind::Throttling);
    QCOMPARE(alerts.at(1).msecs, kStart + 30 * 60000);
    QVERIFY2(alerts.at(1).text.contains(QLatin1String("for power")), qPrintable(all));

    QCOMPARE(alerts.at(2).kind, GpuAlert::Kind::IdleContainer);
    QCOMPARE(alerts.at(2).msecs, kStart + 40 * 60000); // 30 minutes after its last busy second
    QCOMPARE(alerts.at(2).containerId, QString(64, QLatin1Char('a')));
    QCOMPARE(alerts.at(2).containerName, QStringLiteral("train-llm"));
    QCOMPARE(alerts.at(2).gpuUuid, QStringLiteral("GPU-0"));
    QCOMPARE(alerts.at(2).text, QStringLiteral("Container train-llm has held GPU 0 at 0 % "
                                               "utilisation for 30 minutes; stop it to free the "
                                               "GPU?"));

    QCOMPARE(alerts.at(3).kind, GpuAlert::Kind::EccErrors);
    QCOMPARE(alerts.at(3).msecs, kStart + 45 * 60000);
    QCOMPARE(alerts.at(3).text, QStringLiteral("GPU 1 (NVIDIA H100) reported 2 new uncorrected "
                                               "ECC error(s), 2 since the driver loaded; on it: "
                                               "alice: python train.py."));

    QCOMPARE(alerts.at(4).kind, GpuAlert::Kind::GpuFree);
    QCOMPARE(alerts.at(4).msecs, kStart + 50 * 60000);
    QCOMPARE(alerts.at(4).text, QStringLiteral("GPU 0 (NVIDIA H100) is free now (it was held by "
                                               "train-llm (container), eval-job (container))."));

    // Nothing is said about eval-job (idle 20 minutes) nor alice's process (no container).
    QVERIFY2(!all.contains(QLatin1String("Container eval-job")), qPrintable(all));
    // The next hour of the same state says nothing new.
    QVERIFY(play(rules, 3600, 3 * 3600).isEmpty());
}

void TestAlertRules::idleAgainAfterWorking()
{
    AlertRules rules;
    AlertRules::Settings settings;
    settings.idleMinutes = 5;
    rules.setSettings(settings);
    int idle = 0;
    for (int s = 0; s < 3600; ++s) {
        GpuSnapshot snap = at(600); // a busy second every 15 minutes, idle between
        snap.taken = QDateTime::fromMSecsSinceEpoch(kStart + s * 1000LL, Qt::UTC);
        snap.gpus[0].gpuUtil = s % 900 == 0 ? 50 : 0;
        snap.gpus[0].processes = {inContainer(100, QStringLiteral("train-llm"), QLatin1Char('a'))};
        for (const GpuAlert &a : rules.check(snap))
            idle += a.kind == GpuAlert::Kind::IdleContainer;
    }
    QCOMPARE(idle, 4); // once in each of the four idle streaks
}

void TestAlertRules::switchedOffSaysNothing()
{
    AlertRules rules;
    AlertRules::Settings off;
    off.gpuFree = off.idleContainer = off.hardware = false;
    rules.setSettings(off);
    QVERIFY(play(rules, 0, 3600).isEmpty());
}

void TestAlertRules::xidErrorNamesGpuAndContainer()
{
    AlertRules rules;
    const auto second = [](int s, qint64 count, qint64 last) {
        GpuSnapshot snap = at(s);
        snap.gpus[0].xidCount = count;
        snap.gpus[0].lastXid = last;
        snap.gpus[1].xidCount = -1; // not watched: never said
        snap.gpus[1].lastXid = 48;
        return snap;
    };
    QVERIFY(rules.check(second(0, 0, -1)).isEmpty());
    QList<GpuAlert> alerts = rules.check(second(1, 1, 79));
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).kind, GpuAlert::Kind::XidError);
    QCOMPARE(alerts.at(0).gpuUuid, QStringLiteral("GPU-0"));
    QCOMPARE(alerts.at(0).text, QStringLiteral("GPU 0 (NVIDIA H100) reported XID error 79 (fallen "
                                               "off the bus); on it: train-llm (container)."));
    QVERIFY(rules.check(second(2, 1, 79)).isEmpty()); // the same count: said once
    alerts = rules.check(second(3, 3, 13));
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).text,
             QStringLiteral("GPU 0 (NVIDIA H100) reported 2 XID errors, the last XID 13 (graphics "
                            "engine exception); on it: train-llm (container)."));

    // Errors already counted at the first sight of the GPU are said; switched off, nothing.
    AlertRules fresh;
    alerts = fresh.check(second(0, 1, 31));
    QCOMPARE(alerts.size(), 1);
    QVERIFY2(alerts.at(0).text.contains(QLatin1String("XID error 31 (GPU memory page fault)")),
             qPrintable(alerts.at(0).text));
    AlertRules off;
    AlertRules::Settings settings;
    settings.hardware = false;
    off.setSettings(settings);
    QVERIFY(off.check(second(0, 1, 31)).isEmpty());
    QVERIFY(off.check(second(1, 2, 31)).isEmpty());
}

void TestAlertRules::launchFinishedOnlyWhileAway_data()
{
    QTest::addColumn<bool>("inFront");
    QTest::addColumn<bool>("switchedOn");
    QTest::addColumn<int>("exitCode"); // -1: the launch failed
    QTest::addColumn<qint64>("durationMs");
    QTest::addColumn<QString>("text"); // empty: nothing said
    QTest::newRow("away, exited 0")
        << false << true << 0 << qint64(12 * 60000 + 5000)
        << QStringLiteral("train-llm finished with exit code 0 after 12 min 5 s.");
    QTest::newRow("away, exited 137 after hours")
        << false << true << 137 << qint64(2 * 3600000 + 7 * 60000 + 59000)
        << QStringLiteral("train-llm finished with exit code 137 after 2 h 7 min.");
    QTest::newRow("away, failed") << false << true << -1 << qint64(900)
                                  << QStringLiteral("train-llm did not run: the launch failed "
                                                    "after 0 s.");
    QTest::newRow("in front") << true << true << 0 << qint64(5000) << QString();
    QTest::newRow("switched off") << false << false << 0 << qint64(5000) << QString();
}

void TestAlertRules::launchFinishedOnlyWhileAway()
{
    QFETCH(bool, inFront);
    QFETCH(bool, switchedOn);
    QFETCH(int, exitCode);
    QFETCH(qint64, durationMs);
    QFETCH(QString, text);
    AlertRules rules;
    AlertRules::Settings settings;
    settings.launchFinished = switchedOn;
    rules.setSettings(settings);
    const std::optional<GpuAlert> alert = rules.launchFinished(
        QStringLiteral("train-llm"), exitCode < 0 ? std::nullopt : std::optional<qint64>(exitCode),
        durationMs, inFront, kStart);
    QCOMPARE(alert.has_value(), !text.isEmpty());
    if (!alert)
        return;
    QCOMPARE(alert->kind, GpuAlert::Kind::LaunchFinished);
    QCOMPARE(alert->text, text);
    QCOMPARE(alert->containerName, QStringLiteral("train-llm"));
    QCOMPARE(alert->msecs, kStart);
}

QTEST_GUILESS_MAIN(TestAlertRules)
#include "tst_alertrules.moc"
