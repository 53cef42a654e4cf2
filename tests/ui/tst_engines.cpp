// Several engines in one window, against real engines: the sandboxed dockerd (by --host), the same
// engine behind the test sshd (a docker context), the TLS dockerd (a docker context with its TLS
// material) and a dead host added by URL (a listener that accepts and never answers). Each row
// shows its own state, kind and GPUs; selecting a row switches images, GPUs and the launch form; a
// launch lands on the selected engine; a log tab keeps streaming while another engine is selected
// and while the dead one times out. Local GPUs come from the fake NVML (8 GPUs); the ssh host's
// from a stand-in nvidia-smi first on the remote PATH (an H100 capture); the TLS host's from the
// test image's stub nvidia-smi in a probe container (two stand-in GPUs, one busy).
#include "FakeSmi.h"
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "engines/EngineList.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

namespace {

const QString kLocal = QStringLiteral("unix://" GPUDECK_TEST_ENGINE_DIR "/docker.sock");
const QString kSsh = QStringLiteral("ssh://gpudeck-test" GPUDECK_TEST_ENGINE_DIR "/docker.sock");

// The docker CLI on an engine's own socket (never through GPU Deck).
QByteArray dockerAt(const QString &socket, const QStringList &args)
{
    QProcess docker;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), socket);
    env.remove(QStringLiteral("DOCKER_TLS_VERIFY"));
    env.remove(QStringLiteral("DOCKER_CERT_PATH"));
    env.remove(QStringLiteral("DOCKER_CONTEXT"));
    env.remove(QStringLiteral("DOCKER_CONFIG"));
    docker.setProcessEnvironment(env);
    docker.start(QStringLiteral("docker"), args);
    if (!docker.waitForFinished(60000))
        return {};
    return docker.readAllStandardOutput();
}

} // namespace

class TestEngines : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void rowsShowEachEngine();
    void switchingFollowsTheEngine();
    void launchLandsOnTheSelectedEngine();
    void logKeepsStreaming();

private:
    void writeContext(const QString &config, const QString &name, const QString &host);
    static void select(MainWindow *window, Engine *engine);
    static LogPage *launch(MainWindow *window, const QString &command);
    QString tlsSocket() const
    {
        return QStringLiteral("unix://") + m_tls + QStringLiteral("/docker.sock");
    }

    QTemporaryDir m_dir;
    QString m_tls;
    QString m_remoteSmi;
    FakeSmi m_smi;
    QTcpServer m_silent; // a host that accepts and never answers
};

void TestEngines::writeContext(const QString &config, const QString &name, const QString &host)
{
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex());
    QVERIFY(QDir().mkpath(config + QStringLiteral("/contexts/meta/") + hash));
    QFile meta(config + QStringLiteral("/contexts/meta/") + hash + QStringLiteral("/meta.json"));
    QVERIFY(meta.open(QIODevice::WriteOnly));
    meta.write(
        QJsonDocument(
            QJsonObject{{QStringLiteral("Name"), name},
                        {QStringLiteral("Metadata"), QJsonObject()},
                        {QStringLiteral("Endpoints"),
                         QJsonObject{{QStringLiteral("docker"),
                                      QJsonObject{{QStringLiteral("Host"), host},
                                                  {QStringLiteral("SkipTLSVerify"), false}}}}}})
            .toJson());
}

void TestEngines::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    m_tls = qEnvironmentVariable("GPUDECK_TEST_TLS_DIR");
    const QString sshDir = qEnvironmentVariable("GPUDECK_TEST_SSH_DIR");
    QVERIFY2(!m_tls.isEmpty() && !sshDir.isEmpty(),
             "run through ctest: needs the TLS engine and the test sshd");
    useSettings(QStringLiteral("gpudeck-test-engines"), m_dir.filePath(QStringLiteral("settings")));
    QSettings().clear();

    // The docker CLI's store: the TLS context as `docker context create` wrote it, and an ssh
    // context for the sandboxed engine behind the sshd.
    const QString config = m_dir.filePath(QStringLiteral("docker"));
    QVERIFY(TestEngine::copyTree(m_tls + QStringLiteral("/docker-config"), config));
    writeContext(config, QStringLiteral("gpudeck-ssh"), kSsh);
    qputenv("DOCKER_CONFIG", config.toUtf8());
    for (const char *var :
         {"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"})
        qunsetenv(var);

    // This machine: the fake NVML's 8 GPUs. The ssh host: one H100, busy, from its own nvidia-smi.
    useFakeNvml("eight");
    QFile capture(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-query-gpu.csv"));
    QVERIFY(capture.open(QIODevice::ReadOnly));
    m_smi.write(QStringLiteral("identity.csv"), capture.readAll());
    m_smi.write(QStringLiteral("live.csv"), "0, 40000, 97, 50, 61, 300.00, 700.00\n");
    m_remoteSmi = sshDir + QStringLiteral("/remote-bin/nvidia-smi");
    QFile::remove(m_remoteSmi);
    QVERIFY(QFile::link(m_smi.path(), m_remoteSmi));

    QVERIFY(m_silent.listen(QHostAddress::LocalHost));
}

void TestEngines::cleanupTestCase()
{
    if (!m_remoteSmi.isEmpty())
        QFile::remove(m_remoteSmi);
}

void TestEngines::select(MainWindow *window, Engine *engine)
{
    QVERIFY(engine);
    auto *view = child<QTreeWidget>(window, "engineList");
    QTreeWidgetItem *item = window->engineList()->item(engine);
    QVERIFY(item);
    view->scrollToItem(item);
    QCoreApplication::processEvents();
    const QRect rect = view->visualItemRect(item);
    // The row's name, at its left: the row may be wider than the list.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      QPoint(qMin(rect.center().x(), 20), rect.center().y()));
    QVERIFY2(window->engine() == engine,
             qPrintable(QStringLiteral("clicked %1,%2 %3x%4 in a %5x%6 list for %7, selected %8")
                            .arg(rect.x())
                            .arg(rect.y())
                            .arg(rect.width())
                            .arg(rect.height())
                            .arg(view->viewport()->width())
                            .arg(view->viewport()->height())
                            .arg(engine->name(), window->engine()->name())));
}

// A launch from the form, as a user makes it; the new tab.
LogPage *TestEngines::launch(MainWindow *window, const QString &command)
{
    auto *image = child<QLineEdit>(window, "imageEdit");
    image->clear();
    QTest::keyClicks(image, QStringLiteral("gpudeck-test:latest"));
    auto *edit = child<QLineEdit>(window, "commandEdit");
    edit->clear();
    QTest::keyClicks(edit, command);
    auto *network = child<QComboBox>(window, "networkCombo");
    network->lineEdit()->clear();
    QTest::keyClicks(network->lineEdit(), QStringLiteral("none"));
    LogView *logs = window->logView();
    const int before = logs->count();
    QTest::mouseClick(child<QPushButton>(window, "launchButton"), Qt::LeftButton);
    if (logs->count() != before + 1)
        return nullptr;
    return logs->currentPage();
}

// Every engine on its own row: the three live ones connected with their kind and GPUs, the dead
// one connecting and then down with the reason; a bad address in the field is one sentence.
void TestEngines::rowsShowEachEngine()
{
    QElapsedTimer clock;
    clock.start();
    MainWindow window(kLocal);
    window.setGeometry(0, 0, 1400, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EngineRegistry *registry = window.engineRegistry();
    EngineList *list = window.engineList();
    Engine *local = registry->find(kLocal);
    Engine *ssh = registry->findByName(QStringLiteral("gpudeck-ssh"));
    Engine *tls = registry->findByName(QStringLiteral("gpudeck-tls"));
    QVERIFY(local && ssh && tls);
    QCOMPARE(window.engine(), local);

    // Added by URL in the field.
    auto *field = child<QLineEdit>(&window, "engineUrlEdit");
    auto *add = child<QPushButton>(&window, "engineAddButton");
    auto *error = child<QLabel>(&window, "engineAddError");
    QTest::keyClicks(field, QStringLiteral("gpu1:2375"));
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("scheme")), qPrintable(error->text()));
    field->clear();
    const QString dead = QStringLiteral("tcp://127.0.0.1:%1").arg(m_silent.serverPort());
    QTest::keyClicks(field, dead);
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY(!error->isVisible());
    Engine *gone = registry->find(dead);
    QVERIFY(gone);
    QCOMPARE(gone->source(), QStringLiteral("added"));
    QCOMPARE(QSettings().value(QStringLiteral("engines/added")).toStringList(), QStringList{dead});
    QCOMPARE(window.engine(), gone); // an engine added by hand is the one the user wants to see
    QCOMPARE(list->rowText(gone, EngineList::StateColumn), QStringLiteral("connecting"));
    select(&window, local);

    for (Engine *engine : {local, ssh, tls}) {
        QTRY_COMPARE_WITH_TIMEOUT(list->rowText(engine, EngineList::StateColumn),
                                  QStringLiteral("connected"), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(
            list->rowText(engine, EngineList::KindColumn).startsWith(QLatin1String("Docker ")),
            20000);
    }
    qInfo("three live engines connected %lld ms after the window was made", clock.elapsed());
    QTRY_VERIFY2_WITH_TIMEOUT(QRegularExpression(QStringLiteral("^8 GPUs · \\d busy$"))
                                  .match(list->rowText(local, EngineList::GpuColumn))
                                  .hasMatch(),
                              qPrintable(list->rowText(local, EngineList::GpuColumn)), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(list->rowText(ssh, EngineList::GpuColumn),
                              QStringLiteral("1 GPU · 1 busy"), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(list->rowText(tls, EngineList::GpuColumn),
                              QStringLiteral("2 GPUs · 1 busy"), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(
        list->rowText(gone, EngineList::StateColumn).startsWith(QLatin1String("down: ")),
        Engine::kConnectDeadlineMs + 15000);
    QVERIFY2(list->rowText(gone, EngineList::StateColumn).contains(QLatin1String("did not answer")),
             qPrintable(list->rowText(gone, EngineList::StateColumn)));
    for (Engine *engine : {local, ssh, tls})
        QCOMPARE(list->rowText(engine, EngineList::StateColumn), QStringLiteral("connected"));

    // The README's screenshot, when run under Xvfb with GPUDECK_ENGINES_SHOT=PATH.
    const QString shot = qEnvironmentVariable("GPUDECK_ENGINES_SHOT");
    if (!shot.isEmpty()) {
        QTRY_VERIFY_WITH_TIMEOUT(window.imageList()->imageCount() >= 1, 20000);
        QTest::qWait(1500); // a GPU tick or two, so the panel shows live figures
        QCOMPARE(QProcess::execute(QStringLiteral("import"),
                                   {QStringLiteral("-window"), QStringLiteral("root"),
                                    QStringLiteral("-crop"),
                                    QStringLiteral("%1x%2+0+0")
                                        .arg(window.frameGeometry().width())
                                        .arg(window.frameGeometry().height()),
                                    shot}),
                 0);
    }

    // Removed again: out of the list and the settings; contexts cannot be removed.
    select(&window, tls);
    QVERIFY(!child<QPushButton>(&window, "engineRemoveButton")->isEnabled());
    select(&window, gone);
    QVERIFY(child<QPushButton>(&window, "engineRemoveButton")->isEnabled());
    QTest::mouseClick(child<QPushButton>(&window, "engineRemoveButton"), Qt::LeftButton);
    QVERIFY(!registry->find(dead));
    QVERIFY(!list->item(gone));
    QVERIFY(QSettings().value(QStringLiteral("engines/added")).toStringList().isEmpty());
    QVERIFY(window.engine() && window.engine() != gone);
}

// Selecting a row switches the status line, the images and the GPU panel; the status bar's picker
// follows; the selection is remembered.
void TestEngines::switchingFollowsTheEngine()
{
    const QString tag =
        QStringLiteral("gpudeck-test:engines-%1").arg(QCoreApplication::applicationPid());
    dockerAt(kLocal, {QStringLiteral("tag"), QStringLiteral("gpudeck-test:latest"), tag});
    const auto untag = qScopeGuard([&]() { dockerAt(kLocal, {QStringLiteral("rmi"), tag}); });
    QVERIFY(dockerAt(kLocal, {QStringLiteral("images"), QStringLiteral("-q"), tag}).trimmed().size()
            > 0);
    QVERIFY(dockerAt(tlsSocket(), {QStringLiteral("images"), QStringLiteral("-q"), tag})
                .trimmed()
                .isEmpty());

    {
        MainWindow window(kLocal);
        window.setGeometry(0, 0, 1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        EngineRegistry *registry = window.engineRegistry();
        auto *status = child<QLabel>(&window, "engineStatus");
        auto *combo = child<QComboBox>(&window, "engineCombo");
        const auto hasTag = [&]() {
            window.imageList()->selectImage(tag);
            return window.imageList()->currentImage() == tag;
        };
        struct Case
        {
            Engine *engine;
            QString url;
            int gpus;
            bool tagged;
        };
        const Case cases[] = {
            {registry->findByName(QStringLiteral("gpudeck-tls")), TestEngine::host(), 2, false},
            {registry->findByName(QStringLiteral("gpudeck-ssh")), kSsh, 1, true},
            {registry->find(kLocal), kLocal, 8, true},
        };
        for (const Case &c : cases) {
            select(&window, c.engine);
            QCOMPARE(combo->currentText().contains(c.engine->name()), true);
            QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(c.url)
                                          && status->text().contains(QLatin1String("Docker")),
                                      qPrintable(status->text()), 30000);
            QTRY_VERIFY_WITH_TIMEOUT(window.imageList()->imageCount() >= 1, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(hasTag(), c.tagged, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(window.gpuPanel()->gpuCount(), c.gpus, 30000);
        }
        // The picker selects too, and the list follows it.
        const int ssh = combo->findText(QStringLiteral("context gpudeck-ssh"));
        QVERIFY(ssh >= 0);
        combo->setCurrentIndex(ssh);
        emit combo->activated(ssh);
        QCOMPARE(window.engine(), registry->findByName(QStringLiteral("gpudeck-ssh")));
        QCOMPARE(window.engineList()->current(), window.engine());
        QTRY_COMPARE_WITH_TIMEOUT(window.gpuPanel()->gpuCount(), 1, 30000);
    }
    // Without --host, the next window opens on the engine selected last.
    MainWindow again;
    QCOMPARE(again.engine()->name(), QStringLiteral("gpudeck-ssh"));
}

// A launch on each engine runs there: its container is on that engine's dockerd and not on the
// other one, and its tab says where it runs.
void TestEngines::launchLandsOnTheSelectedEngine()
{
    MainWindow window(kLocal);
    window.setGeometry(0, 0, 1400, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EngineRegistry *registry = window.engineRegistry();
    struct Case
    {
        Engine *engine;
        QString socket; // where its containers are
        QString other;  // where they are not
    };
    const Case cases[] = {
        {registry->find(kLocal), kLocal, tlsSocket()},
        {registry->findByName(QStringLiteral("gpudeck-ssh")), kLocal, tlsSocket()},
        {registry->findByName(QStringLiteral("gpudeck-tls")), tlsSocket(), kLocal},
    };
    QList<LogPage *> pages;
    for (const Case &c : cases) {
        select(&window, c.engine);
        QTRY_COMPARE_WITH_TIMEOUT(c.engine->state(), Engine::State::Connected, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>(&window, "launchButton")->isEnabled(), 10000);
        LogPage *page = launch(&window, QStringLiteral("sh -c \"echo started; sleep 60\""));
        QVERIFY(page);
        pages.append(page);
        QTRY_VERIFY_WITH_TIMEOUT(page->textEdit()->toPlainText().contains(QLatin1String("started")),
                                 60000);
        const QString id = page->launcher()->containerId();
        QVERIFY(!id.isEmpty());
        QVERIFY(dockerAt(c.socket,
                         {QStringLiteral("ps"), QStringLiteral("-q"), QStringLiteral("--no-trunc")})
                    .contains(id.toLatin1()));
        QVERIFY(!dockerAt(c.other, {QStringLiteral("ps"), QStringLiteral("-q"),
                                    QStringLiteral("--no-trunc")})
                     .contains(id.toLatin1()));
        QVERIFY2(page->title().endsWith(QStringLiteral(" @ ") + c.engine->name()),
                 qPrintable(page->title()));
    }
    for (LogPage *page : std::as_const(pages))
        page->stop();
    for (LogPage *page : std::as_const(pages))
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
}

// A container's output keeps coming into its tab while another engine is selected, and while a
// dead engine, selected, runs into its deadline; the window's longest stall meanwhile is printed.
void TestEngines::logKeepsStreaming()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    MainWindow window(kLocal);
    window.setGeometry(0, 0, 1400, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EngineRegistry *registry = window.engineRegistry();
    Engine *local = registry->find(kLocal);
    QTRY_COMPARE_WITH_TIMEOUT(local->state(), Engine::State::Connected, 30000);
    LogPage *page = launch(&window,
                           QStringLiteral(
                               "sh -c 'for i in $(seq 0 149); do echo tick-$i; sleep 0.1; done'"));
    QVERIFY(page);
    QTRY_VERIFY_WITH_TIMEOUT(page->textEdit()->toPlainText().contains(QLatin1String("tick-3\n")),
                             60000);
    const auto ticks = [page]() {
        return page->textEdit()->toPlainText().count(QLatin1String("tick-"));
    };

    // Another engine selected: the tab goes on.
    const QString id = page->launcher()->containerId();
    const auto said = [&]() {
        return QStringLiteral("%1 ticks in the tab, %2 in docker logs; %3")
            .arg(ticks())
            .arg(dockerAt(kLocal, {QStringLiteral("logs"), id}).count("tick-"))
            .arg(page->statusText());
    };
    select(&window, registry->findByName(QStringLiteral("gpudeck-tls")));
    int before = ticks();
    QTRY_VERIFY2_WITH_TIMEOUT(ticks() >= before + 5, qPrintable(said()), 10000);

    // A dead engine added and selected: it times out on its own row; the tab goes on meanwhile.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longest = 0;
    QTimer probe;
    connect(&probe, &QTimer::timeout, this, [&]() {
        longest = qMax(longest, clock.elapsed() - last);
        last = clock.elapsed();
    });
    probe.start(5);
    const Result<Engine *> gone = registry->add(
        QStringLiteral("tcp://127.0.0.1:%1").arg(silent.serverPort()));
    QVERIFY(gone.ok());
    select(&window, gone.value());
    before = ticks();
    QTRY_VERIFY2_WITH_TIMEOUT(ticks() >= before + 10, qPrintable(said()), 10000);
    QCOMPARE(gone.value()->state(), Engine::State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(gone.value()->state(), Engine::State::Down,
                              Engine::kConnectDeadlineMs + 15000);
    probe.stop();
    qInfo("dead engine down after %lld ms; longest GUI stall meanwhile %lld ms", clock.elapsed(),
          longest);
    QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
    QVERIFY2(page->textEdit()->toPlainText().contains(QLatin1String("tick-149")),
             qPrintable(page->statusText()));
    QCOMPARE(page->launcher()->state(), Launcher::State::Exited);
    QVERIFY(page->title().endsWith(QStringLiteral(" @ ") + local->name()));
    QCOMPARE(local->state(), Engine::State::Connected);
}

QTEST_MAIN(TestEngines)
#include "tst_engines.moc"
