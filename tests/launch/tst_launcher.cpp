// The launch state machine against the real engine: the CLI's order, stop with a grace period,
// cancel at every stage, a failed start cleaned up, auto-remove never ending in a 409.
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "launch/Launcher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(Launcher::State)

namespace {

LaunchSpec spec(const QStringList &command, bool autoRemove = false)
{
    LaunchSpec s;
    s.image = QStringLiteral("gpudeck-test:latest");
    s.command = command;
    s.autoRemove = autoRemove;
    s.networkMode = QStringLiteral("none");
    return s;
}

// The engine's containers with this name, whatever their state.
int containersNamed(const QString &name)
{
    const TestEngine::CliResult cli = TestEngine::docker(
        {QStringLiteral("ps"), QStringLiteral("-a"), QStringLiteral("-q"),
         QStringLiteral("--filter"), QStringLiteral("name=^/%1$").arg(name)});
    return int(cli.out.trimmed().isEmpty() ? 0 : cli.out.trimmed().split('\n').size());
}

} // namespace

class TestLauncher : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runsInTheCliOrder();
    void stopSendsTermThenKills();
    void stopWhileStartingIsHonoured();
    void stopBeforeStartCancels();
    void cancelAtEveryStage_data();
    void cancelAtEveryStage();
    void failedStartRemovesTheContainer_data();
    void failedStartRemovesTheContainer();
    void missingImageIsClear();

private:
    QString uniqueName(const char *what) const
    {
        return QStringLiteral("gpudeck-launcher-%1-%2-%3")
            .arg(QLatin1String(what))
            .arg(QCoreApplication::applicationPid())
            .arg(++m_counter);
    }
    std::unique_ptr<DockerClient> m_client;
    mutable int m_counter = 0;
};

void TestLauncher::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_client = std::make_unique<DockerClient>(
        EndpointResolver::resolve(TestEngine::host()).value());
}

void TestLauncher::runsInTheCliOrder()
{
    Launcher launcher(m_client.get());
    QList<Launcher::State> states;
    connect(&launcher, &Launcher::stateChanged, this,
            [&states](Launcher::State s) { states.append(s); });
    QByteArray out;
    connect(&launcher, &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &d) { out += d; });
    QSignalSpy finished(&launcher, &Launcher::finished);
    // Output written the instant the container starts is not lost: attach comes before start.
    launcher.launch(spec({QStringLiteral("echo"), QStringLiteral("first words")}, true));
    QVERIFY(finished.wait(60000));
    QCOMPARE(launcher.state(), Launcher::State::Exited);
    QCOMPARE(launcher.exitCode().value_or(-1), 0);
    QCOMPARE(out, QByteArray("first words\n"));
    const QList<Launcher::State> expected{Launcher::State::Creating, Launcher::State::Attaching,
                                          Launcher::State::Waiting,  Launcher::State::Starting,
                                          Launcher::State::Running,  Launcher::State::Exited};
    QCOMPARE(states, expected);
    QCOMPARE(finished.count(), 1);
}

void TestLauncher::stopSendsTermThenKills()
{
    // PID 1 without a handler ignores SIGTERM: the engine kills it after the grace period.
    Launcher ignoring(m_client.get());
    QSignalSpy ignoringDone(&ignoring, &Launcher::finished);
    ignoring.launch(spec({QStringLiteral("sleep"), QStringLiteral("600")}, true));
    QTRY_COMPARE_WITH_TIMEOUT(ignoring.state(), Launcher::State::Running, 30000);
    ignoring.stop(1);
    QCOMPARE(ignoring.state(), Launcher::State::Stopping);
    QVERIFY(ignoringDone.wait(30000));
    QCOMPARE(ignoring.state(), Launcher::State::Exited);
    QCOMPARE(ignoring.exitCode().value_or(-1), 137);

    // One that handles SIGTERM exits on it, with its own code.
    Launcher handling(m_client.get());
    QByteArray out;
    connect(&handling, &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &d) { out += d; });
    QSignalSpy handlingDone(&handling, &Launcher::finished);
    const auto removeHandling = qScopeGuard([&]() { // also when a check below fails
        if (!handling.containerId().isEmpty())
            TestEngine::docker(
                {QStringLiteral("rm"), QStringLiteral("-f"), handling.containerId()});
    });
    handling.launch(spec(
        {QStringLiteral("sh"), QStringLiteral("-c"),
         QStringLiteral(
             "trap 'echo got TERM; exit 5' TERM; echo ready; while true; do sleep 0.1; done")}));
    // Output can arrive before the engine's answer to start: the stop may come while Starting,
    // and must not be lost then.
    QTRY_VERIFY_WITH_TIMEOUT(out.contains("ready"), 30000);
    handling.stop(30);
    QVERIFY(handlingDone.wait(30000));
    QCOMPARE(handling.exitCode().value_or(-1), 5);
    QVERIFY(out.contains("got TERM"));
}

void TestLauncher::stopWhileStartingIsHonoured()
{
    // Asked for in the same turn of the event loop as the start request: the state is Starting.
    // The stop goes out as soon as the container runs, which can be before its shell has set the
    // trap: a shell that is PID 1 ignores SIGTERM until then, and the kill after the grace period
    // ends it (137). Either way the stop was honoured; a lost one would leave it looping.
    Launcher launcher(m_client.get());
    QSignalSpy done(&launcher, &Launcher::finished);
    connect(&launcher, &Launcher::stateChanged, this, [&launcher](Launcher::State state) {
        if (state == Launcher::State::Starting)
            launcher.stop(3);
    });
    launcher.launch(spec({QStringLiteral("sh"), QStringLiteral("-c"),
                          QStringLiteral("trap 'exit 6' TERM; while true; do sleep 0.1; done")},
                         true));
    QVERIFY(done.wait(30000));
    QCOMPARE(launcher.state(), Launcher::State::Exited);
    const qint64 code = launcher.exitCode().value_or(-1);
    QVERIFY2(code == 6 || code == 137, qPrintable(QString::number(code)));
}

void TestLauncher::stopBeforeStartCancels()
{
    Launcher launcher(m_client.get());
    QSignalSpy done(&launcher, &Launcher::finished);
    connect(&launcher, &Launcher::stateChanged, this, [&launcher](Launcher::State state) {
        if (state == Launcher::State::Waiting)
            launcher.stop();
    });
    launcher.launch(spec({QStringLiteral("sleep"), QStringLiteral("600")}));
    QVERIFY(done.wait(30000));
    QCOMPARE(launcher.state(), Launcher::State::Cancelled);
    const QString id = launcher.containerId();
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(TestEngine::docker({QStringLiteral("inspect"), id}).exitCode != 0,
                             10000); // removed
}

void TestLauncher::cancelAtEveryStage_data()
{
    QTest::addColumn<Launcher::State>("stage");
    QTest::addColumn<bool>("autoRemove");
    for (const bool autoRemove : {false, true}) {
        const char *suffix = autoRemove ? ", auto-remove" : "";
        QTest::newRow(qPrintable(QStringLiteral("creating%1").arg(QLatin1String(suffix))))
            << Launcher::State::Creating << autoRemove;
        QTest::newRow(qPrintable(QStringLiteral("attaching%1").arg(QLatin1String(suffix))))
            << Launcher::State::Attaching << autoRemove;
        QTest::newRow(qPrintable(QStringLiteral("waiting%1").arg(QLatin1String(suffix))))
            << Launcher::State::Waiting << autoRemove;
        QTest::newRow(qPrintable(QStringLiteral("starting%1").arg(QLatin1String(suffix))))
            << Launcher::State::Starting << autoRemove;
        QTest::newRow(qPrintable(QStringLiteral("running%1").arg(QLatin1String(suffix))))
            << Launcher::State::Running << autoRemove;
    }
}

void TestLauncher::cancelAtEveryStage()
{
    QFETCH(Launcher::State, stage);
    QFETCH(bool, autoRemove);
    Launcher launcher(m_client.get());
    LaunchSpec s = spec({QStringLiteral("sleep"), QStringLiteral("600")}, autoRemove);
    s.containerName = uniqueName("cancel");
    bool cancelled = false;
    connect(&launcher, &Launcher::stateChanged, this, [&](Launcher::State state) {
        if (state == stage && !cancelled) {
            cancelled = true;
            launcher.cancel();
        }
    });
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(s);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
    QVERIFY(cancelled);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(launcher.state(), Launcher::State::Cancelled);
    // Nothing is left behind: a cancelled launch removes what it created (or the engine does,
    // for auto-remove), and never hits "removal already in progress".
    if (!autoRemove && stage == Launcher::State::Running)
        // stopped, kept as docker run keeps it
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), s.containerName});
    QTRY_COMPARE_WITH_TIMEOUT(containersNamed(s.containerName), 0, 20000);
    QVERIFY2(launcher.error().httpStatus() != 409, qPrintable(launcher.error().message()));
}

void TestLauncher::failedStartRemovesTheContainer_data()
{
    QTest::addColumn<bool>("autoRemove");
    QTest::newRow("kept container") << false;
    QTest::newRow("auto-remove") << true;
}

void TestLauncher::failedStartRemovesTheContainer()
{
    QFETCH(bool, autoRemove);
    // Creating succeeds; starting fails in the runtime (no such executable).
    LaunchSpec s = spec({QStringLiteral("/no/such/program")}, autoRemove);
    s.containerName = uniqueName("failstart");
    Launcher launcher(m_client.get());
    QSignalSpy created(&launcher, &Launcher::containerCreated);
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(s);
    QVERIFY(finished.wait(60000));
    QCOMPARE(created.count(), 1);
    QCOMPARE(launcher.state(), Launcher::State::Failed);
    QVERIFY2(launcher.error().why().contains(QLatin1String("no such file"), Qt::CaseInsensitive)
                 || launcher.error().why().contains(QLatin1String("not found"),
                                                    Qt::CaseInsensitive),
             qPrintable(launcher.error().message()));
    // Never the engine's "removal already in progress" from removing it twice. (Podman reports
    // the runtime's failure at attach, with 409.)
    QVERIFY2(!launcher.error().why().contains(QLatin1String("already in progress")),
             qPrintable(launcher.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(containersNamed(s.containerName), 0, 20000);
}

void TestLauncher::missingImageIsClear()
{
    Launcher launcher(m_client.get());
    LaunchSpec s = spec({QStringLiteral("true")});
    s.image = QStringLiteral("gpudeck-not-here:1");
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(s);
    QVERIFY(finished.wait(30000));
    QCOMPARE(launcher.state(), Launcher::State::Failed);
    // Docker answers 404 "No such image"; Podman's create 500 "image not known": both are a
    // missing image, with the hint to pull it (the window offers the pull on it).
    QCOMPARE(launcher.error().httpStatus(), TestEngine::isPodman() ? 500 : 404);
    QVERIFY2(EngineError::isMissingImage(launcher.error().why()),
             qPrintable(launcher.error().message()));
    QVERIFY(launcher.error().message().contains(QLatin1String("gpudeck-not-here")));
    QVERIFY2(launcher.error().hint().contains(QLatin1String("Pull the image")),
             qPrintable(launcher.error().message()));
}

QTEST_GUILESS_MAIN(TestLauncher)
#include "tst_launcher.moc"
