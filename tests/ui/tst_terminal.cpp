#include "TestEngine.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "log/ContainerLogPage.h"
#include "log/LaunchRun.h"
#include "log/LogView.h"
#include "terminal/ExecTerminal.h"
#include "terminal/ShellPage.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <QScopeGuard>

#include <csignal>
#include <malloc.h>
#include <memory>

// The terminal: libvterm's screen model fed by hand, then a shell in a real container on the
// test engine (local, ssh:// or TLS), driven with key events on the offscreen platform.
class TestTerminal : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void screenModel();
    void splitInput();
    void keysToBytes();
    void scrollback();
    void scrollbackStaysSmall();
    void echoFromScreen();
    void sttySizeFollowsResize();
    void ctrlCInterrupts();
    void exitCodeShown();
    void floodKeepsWindowResponsive();
    void shellFromLogPage();
    void interactiveLaunch();
    void closeAsksDetachOrStop();
    void titleFollowsProgram();
    void pasteArrivesIntact();
    void viUsesTheAlternateScreen();
    void engineGoneWhileShellRuns();

private:
    std::unique_ptr<ShellPage> openShell();
    static LaunchSpec shellSpec(const QString &name);
    static QString containerState(const QString &name); // "running", …; empty: no such container
    static void answer(LogView *logs, const char *button);
    static bool screenHasLine(const TerminalScreen *screen, const QString &line);
    static void type(QWidget *view, const QString &line);
    static bool hasPrompt(const TerminalView *view);

    std::unique_ptr<DockerClient> m_client;
    QString m_container;
};

void TestTerminal::initTestCase()
{
    if (TestEngine::host().isEmpty())
        return; // the model tests still run; the engine tests skip or fail below
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(TestEngine::host(),
                                                                QStringLiteral("test"));
    QVERIFY2(endpoint, qPrintable(endpoint.error().message()));
    m_client = std::make_unique<DockerClient>(endpoint.value());
    m_container =
        QStringLiteral("gpudeck-term-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
    const TestEngine::CliResult run = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), m_container,
         QStringLiteral("gpudeck-test"), QStringLiteral("sleep"), QStringLiteral("1000")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

void TestTerminal::cleanupTestCase()
{
    if (!m_container.isEmpty())
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_container});
}

bool TestTerminal::screenHasLine(const TerminalScreen *screen, const QString &line)
{
    for (int row = -screen->scrollbackSize(); row < screen->rows(); ++row) {
        if (screen->lineText(row) == line)
            return true;
    }
    return false;
}

void TestTerminal::type(QWidget *view, const QString &line)
{
    QTest::keyClicks(view, line);
    QTest::keyClick(view, Qt::Key_Return);
}

bool TestTerminal::hasPrompt(const TerminalView *view)
{
    return view->screen()->screenText().contains(QStringLiteral("/ #"));
}

void TestTerminal::screenModel()
{
    TerminalScreen screen(5, 20);
    QSignalSpy titles(&screen, &TerminalScreen::titleChanged);
    screen.feed("\x1b]0;my title\x07"
                "\x1b[1;31mred\x1b[0m \x1b[38;5;21mx\x1b[38;2;1;2;3my\x1b[0m \xe4\xb8\x96z\r\n");
    QCOMPARE(screen.lineText(0), QStringLiteral("red xy \u4e16z"));
    QCOMPARE(titles.size(), 1);
    QCOMPARE(screen.title(), QStringLiteral("my title"));
    const TerminalScreen::Cell r = screen.cell(0, 0);
    QVERIFY(r.bold);
    QVERIFY(r.foreground.isValid());
    QVERIFY(!screen.cell(0, 3).foreground.isValid()); // back to the default colour
    QCOMPARE(screen.cell(0, 5).foreground, QColor(1, 2, 3));
    QCOMPARE(screen.cell(0, 7).width, 2); // the wide character takes two cells
    QCOMPARE(screen.cell(0, 9).text, QStringLiteral("z"));
    // The alternate screen comes and goes with its own contents.
    screen.feed("\x1b[?1049h\x1b[2J\x1b[Halt");
    QVERIFY(screen.isAltScreen());
    QCOMPARE(screen.lineText(0), QStringLiteral("alt"));
    screen.feed("\x1b[?1049l");
    QVERIFY(!screen.isAltScreen());
    QCOMPARE(screen.lineText(0), QStringLiteral("red xy \u4e16z"));
}

void TestTerminal::splitInput()
{
    // An escape sequence and a UTF-8 character split across reads, then invalid UTF-8.
    TerminalScreen screen(3, 20);
    const QByteArray bytes = "\x1b[1;32mok\x1b[0m \xe2\x82\xac \xff!";
    for (const char byte : bytes)
        screen.feed(QByteArray(1, byte));
    QVERIFY(screen.cell(0, 0).bold);
    QVERIFY(screen.lineText(0).startsWith(QStringLiteral("ok \u20ac ")));
    QVERIFY(screen.lineText(0).endsWith(QLatin1Char('!')));
}

void TestTerminal::keysToBytes()
{
    TerminalView view;
    QByteArray sent;
    connect(view.screen(), &TerminalScreen::output, this,
            [&sent](const QByteArray &bytes) { sent += bytes; });
    QTest::keyClicks(&view, QStringLiteral("aB"));
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    QTest::keyClick(&view, Qt::Key_Up);
    QTest::keyClick(&view, Qt::Key_Tab);
    QTest::keyClick(&view, Qt::Key_X, Qt::AltModifier);
    QTest::keyClick(&view, Qt::Key_F1);
    QTest::keyClick(&view, Qt::Key_Return);
    QCOMPARE(sent, QByteArray("aB\x03\x1b[A\t\x1bx\x1bOP\r"));

    // Bracketed paste only once the program asked for it.
    sent.clear();
    QApplication::clipboard()->setText(QStringLiteral("p\nq"));
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(sent, QByteArray("p\rq"));
    sent.clear();
    view.screen()->feed("\x1b[?2004h");
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(sent, QByteArray("\x1b[200~p\rq\x1b[201~"));
}

void TestTerminal::scrollback()
{
    TerminalView view;
    view.resize(view.sizeHint());
    for (int i = 0; i < 100; ++i)
        view.screen()->feed(QStringLiteral("line %1\r\n").arg(i).toUtf8());
    QVERIFY(view.screen()->scrollbackSize() > 0);
    QVERIFY(screenHasLine(view.screen(), QStringLiteral("line 0")));
    QTest::keyClick(&view, Qt::Key_PageUp, Qt::ShiftModifier);
    QVERIFY(view.scrollOffset() > 0);
    QTest::keyClick(&view, Qt::Key_PageDown, Qt::ShiftModifier);
    QCOMPARE(view.scrollOffset(), 0);
}

void TestTerminal::scrollbackStaysSmall()
{
    // 10,000 lines of 80 columns with colours keep what they showed, in well under 50 MB.
    const struct mallinfo2 before = mallinfo2();
    auto screen = std::make_unique<TerminalScreen>(24, 80);
    for (int i = 0; i < TerminalScreen::maxScrollback() + 24; ++i) {
        QByteArray line = QStringLiteral("\x1b[1;32m%1\x1b[0m \x1b[38;5;208;4m").arg(i, 8).toUtf8();
        line += QByteArray(69, char('a' + i % 26)) + "e\xcc\x81\x1b[0m\r\n"; // e + combining acute
        screen->feed(line);
    }
    const struct mallinfo2 after = mallinfo2();
    const double mb = double(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd) / 1e6;
    qInfo("10,000 lines of scrollback: %.1f MB", mb);
    QCOMPARE(screen->scrollbackSize(), TerminalScreen::maxScrollback());
    QVERIFY2(mb < 50, qPrintable(QString::number(mb)));
    // The oldest line kept, with its colours, attributes and the combined character.
    const int oldest = -screen->scrollbackSize();
    // 10,024 lines fed, 23 on the screen above the cursor's empty row: line 0 went.
    QCOMPARE(screen->lineText(oldest).left(8), QStringLiteral("%1").arg(1, 8));
    QVERIFY(screen->cell(oldest, 7).bold);
    QCOMPARE(screen->cell(oldest, 7).foreground, QColor(0, 0xe0, 0)); // libvterm's green
    const TerminalScreen::Cell orange = screen->cell(oldest, 9);
    QVERIFY(orange.underline);
    QVERIFY(!orange.bold);
    QCOMPARE(orange.foreground, QColor(0xff, 0x66, 0)); // 208: libvterm's cube steps by 0x33
    QCOMPARE(screen->cell(oldest, 78).text, QStringLiteral("e\u0301"));
    QVERIFY(screen->lineText(-1).endsWith(QStringLiteral("e\u0301")));
}

std::unique_ptr<ShellPage> TestTerminal::openShell()
{
    auto page = std::make_unique<ShellPage>(m_client.get(), m_container, m_container);
    page->resize(page->view()->cellSize().width() * 80 + 4,
                 page->view()->cellSize().height() * 24 + 40);
    page->show();
    page->view()->setFocus();
    page->start();
    return page;
}

void TestTerminal::echoFromScreen()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(page->terminal()->isRunning() && hasPrompt(view),
                             30000); // the prompt
    type(view, QStringLiteral("echo $((6*7))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("42")), 20000);
}

void TestTerminal::sttySizeFollowsResize()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    const QSize cell = view->cellSize();
    page->resize(cell.width() * 57 + 2, page->height() - view->height() + cell.height() * 19 + 2);
    QTRY_COMPARE(view->screen()->columns(), 57);
    QCOMPARE(view->screen()->rows(), 19);
    // The engine's resize is asynchronous: ask until the shell sees it, within the deadline.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&]() {
            type(view, QStringLiteral("busybox stty size"));
            return QTest::qWaitFor(
                [&]() { return screenHasLine(view->screen(), QStringLiteral("19 57")); }, 2000);
        }(),
        20000);
}

void TestTerminal::ctrlCInterrupts()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    type(view, QStringLiteral("sleep 100; echo slept"));
    QTRY_VERIFY(screenHasLine(view->screen(), QStringLiteral("/ # sleep 100; echo slept")));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    type(view, QStringLiteral("echo after-$((1+1))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("after-2")), 20000);
    QVERIFY(!screenHasLine(view->screen(), QStringLiteral("slept")));
}

void TestTerminal::exitCodeShown()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    QSignalSpy ended(page.get(), &ShellPage::ended);
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    type(view, QStringLiteral("exit 3"));
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 20000);
    QCOMPARE(page->terminal()->exitCode(), std::optional<int>(3));
    QVERIFY(page->findChild<QWidget *>(QStringLiteral("shellStatus")) != nullptr);
    QVERIFY(view->screen()->screenText().contains(QStringLiteral("exit code 3")));
}

void TestTerminal::floodKeepsWindowResponsive()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    type(view, QStringLiteral("yes | head -n 200000; echo done-$((2*3))"));
    // The event loop keeps turning while the flood is drawn: a timer fires every 20 ms.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longestGap = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&]() {
        longestGap = std::max(longestGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    tick.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("done-6")), 60000);
    QVERIFY2(longestGap < 1000,
             qPrintable(QStringLiteral("the window stalled for %1 ms").arg(longestGap)));
}

void TestTerminal::shellFromLogPage()
{
    GPUDECK_REQUIRE_ENGINE();
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test");
    spec.command = {QStringLiteral("sleep"), QStringLiteral("1000")};
    spec.gpus.mode = GpuSelection::Mode::None;
    ContainerLogPage page(m_client.get(), spec);
    page.show();
    auto *button = page.findChild<QPushButton *>(QStringLiteral("shellButton"));
    QVERIFY(button);
    QVERIFY(!button->isEnabled());
    page.start();
    QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), 30000);
    QTest::mouseClick(button, Qt::LeftButton);
    auto *shell = page.findChild<ShellPage *>();
    QVERIFY(shell);
    QVERIFY(shell->isWindow());
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(shell->view()), 30000);
    type(shell->view(), QStringLiteral("echo in-$((40+2))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(shell->view()->screen(), QStringLiteral("in-42")),
                             20000);
    // The container goes with the page (auto-remove): the shell ends and says so.
    QSignalSpy ended(shell, &ShellPage::ended);
    page.stop();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!page.isActive(), 30000);
}

void TestTerminal::interactiveLaunch()
{
    GPUDECK_REQUIRE_ENGINE();
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test");
    spec.command = {QStringLiteral("sh")};
    spec.gpus.mode = GpuSelection::Mode::None;
    spec.interactive = true;
    spec.tty = true;
    ContainerLogPage page(m_client.get(), spec);
    page.resize(800, 500);
    page.show();
    TerminalView *view = page.terminal();
    QVERIFY(view);
    QVERIFY(view->isVisible());
    QVERIFY(!page.textEdit()->isVisible());
    page.start();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    type(view, QStringLiteral("echo $((6*7))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("42")), 20000);
    const QString size =
        QStringLiteral("%1 %2").arg(view->screen()->rows()).arg(view->screen()->columns());
    // The engine's resize after the start is asynchronous (over ssh under load it can land after
    // the first keys): ask until the shell sees it, within the deadline.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&]() {
            type(view, QStringLiteral("busybox stty size"));
            return QTest::qWaitFor([&]() { return screenHasLine(view->screen(), size); }, 2000);
        }(),
        20000);
    type(view, QStringLiteral("exit 3"));
    QTRY_VERIFY_WITH_TIMEOUT(!page.isActive(), 30000);
    QCOMPARE(page.launcher()->exitCode(), std::optional<qint64>(3));
}

LaunchSpec TestTerminal::shellSpec(const QString &name)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test");
    spec.command = {QStringLiteral("sh")};
    spec.gpus.mode = GpuSelection::Mode::None;
    spec.interactive = true;
    spec.tty = true;
    spec.containerName = name;
    return spec;
}

QString TestTerminal::containerState(const QString &name)
{
    const TestEngine::CliResult inspect = TestEngine::docker(
        {QStringLiteral("inspect"), QStringLiteral("-f"), QStringLiteral("{{.State.Status}}"),
         name});
    return inspect.exitCode == 0 ? QString::fromUtf8(inspect.out).trimmed() : QString();
}

// Clicks a button of the question closing a terminal tab asks.
void TestTerminal::answer(LogView *logs, const char *button)
{
    QMessageBox *box = logs->closeQuestion();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    auto *clicked = box->findChild<QAbstractButton *>(QLatin1String(button));
    QVERIFY2(clicked, button);
    QTest::mouseClick(clicked, Qt::LeftButton);
}

void TestTerminal::closeAsksDetachOrStop()
{
    GPUDECK_REQUIRE_ENGINE();
    const QString suffix = QUuid::createUuid().toString(QUuid::Id128).left(10);
    const QString kept = QStringLiteral("gpudeck-detach-%1").arg(suffix);
    const QString stopped = QStringLiteral("gpudeck-stop-%1").arg(suffix);
    const auto cleanup = qScopeGuard([&]() {
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), kept, stopped});
    });
    LogView logs;
    logs.resize(800, 500);
    logs.show();
    LogPage *page = logs.launch(m_client.get(), shellSpec(kept));
    QVERIFY(page->terminal());
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(page->terminal()) && page->isRunning(), 30000);

    // Cancel keeps the tab and the container; a second close while the question is open asks
    // nothing more.
    logs.closeTab(0);
    QVERIFY(logs.closeQuestion());
    logs.closeTab(0);
    QCOMPARE(logs.findChildren<QMessageBox *>().size(), 1);
    answer(&logs, "terminalCancel");
    QVERIFY(!logs.closeQuestion());
    QCOMPARE(logs.count(), 1);
    QVERIFY(page->isRunning());

    // Detach: the tab goes, the container runs on.
    const QString id = page->run()->id();
    logs.closeTab(0);
    answer(&logs, "terminalDetach");
    QCOMPARE(logs.count(), 0);
    QVERIFY(!logs.hasActive());
    QTRY_VERIFY(logs.findChildren<LogPage *>().isEmpty());
    QCOMPARE(containerState(kept), QStringLiteral("running"));

    // Attached again, its shell takes keys as before; detached once more, it still runs.
    LogPage *again = logs.attach(m_client.get(), id, kept);
    QVERIFY(again->terminal());
    QTRY_VERIFY_WITH_TIMEOUT(again->isRunning(), 15000);
    type(again->terminal(), QStringLiteral("echo again-$((40+2))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(again->terminal()->screen(), QStringLiteral("again-42")),
                             20000);
    logs.closeTab(0);
    answer(&logs, "terminalDetach");
    QTRY_VERIFY(logs.findChildren<LogPage *>().isEmpty());
    QCOMPARE(containerState(kept), QStringLiteral("running"));

    // Stop: the tab goes and so does the container (auto-remove).
    LogPage *second = logs.launch(m_client.get(), shellSpec(stopped));
    // (The prompt can come before the engine's answer to the start.)
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(second->terminal()) && second->isRunning(), 30000);
    logs.closeTab(0);
    answer(&logs, "terminalStop");
    QCOMPARE(logs.count(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(containerState(stopped).isEmpty(), 30000);
    QTRY_VERIFY(logs.findChildren<LogPage *>().isEmpty());
    // The detached one was left alone.
    QCOMPARE(containerState(kept), QStringLiteral("running"));
}

void TestTerminal::titleFollowsProgram()
{
    GPUDECK_REQUIRE_ENGINE();
    // A shell window's title.
    std::unique_ptr<ShellPage> shell = openShell();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(shell->view()), 30000);
    QSignalSpy titles(shell.get(), &ShellPage::titleChanged);
    // Computed by the shell, so the echoed command line is not the title.
    type(shell->view(), QStringLiteral("printf '\\033]2;shell-%s\\007' $((6*7))"));
    QTRY_COMPARE_WITH_TIMEOUT(shell->title(), QStringLiteral("shell-42"), 20000);
    QCOMPARE(shell->windowTitle(), QStringLiteral("shell-42"));
    QCOMPARE(titles.size(), 1);

    // An interactive launch's tab.
    const QString name =
        QStringLiteral("gpudeck-title-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(10));
    const auto cleanup = qScopeGuard([&]() {
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), name});
    });
    LogView logs;
    logs.resize(800, 500);
    logs.show();
    auto *tabs = logs.findChild<QTabWidget *>(QStringLiteral("logTabs"));
    QVERIFY(tabs);
    LogPage *page = logs.launch(m_client.get(), shellSpec(name));
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(page->terminal()), 30000);
    const QString before = tabs->tabText(0);
    QVERIFY(before.startsWith(QStringLiteral("gpudeck-test")));
    type(page->terminal(), QStringLiteral("printf '\\033]0;tab-%s\\007' $((6*7))"));
    QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0), QStringLiteral("tab-42"), 20000);
    // Set to nothing: the usual title again.
    type(page->terminal(), QStringLiteral("printf '\\033]0;\\007'"));
    QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0), before, 20000);
    type(page->terminal(), QStringLiteral("exit"));
    QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 30000);
}

void TestTerminal::pasteArrivesIntact()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    // 1 MiB of numbered lines.
    QString text;
    for (int i = 0; text.size() < 1024 * 1024; ++i)
        text += QStringLiteral("%1 the quick brown fox jumps over the lazy dog, %2\n")
                    .arg(i, 6, 10, QLatin1Char('0'))
                    .arg(QString(i % 50, QLatin1Char('x')));
    const QString file = QStringLiteral("/paste-%1").arg(QCoreApplication::applicationPid());
    // No echo of a megabyte; "ready" once cat reads, so the shell's line editor takes none of it.
    type(view, QStringLiteral("busybox stty -echo; echo rea\"\"dy; cat > %1; busybox stty echo; "
                              "busybox sha256sum %1; wc -c < %1")
                   .arg(file));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("ready")), 20000);
    QApplication::clipboard()->setText(text);
    QElapsedTimer clock;
    clock.start();
    QTest::keyClick(view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QTest::keyClick(view, Qt::Key_D, Qt::ControlModifier); // end of the paste: cat ends
    const QByteArray sum =
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex();
    const QString expected = QString::fromLatin1(sum) + QStringLiteral("  ") + file;
    QTRY_VERIFY2_WITH_TIMEOUT(screenHasLine(view->screen(), expected),
                              qPrintable(view->screen()->screenText()), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QString::number(text.toUtf8().size())),
                             20000);
    qInfo("1 MiB paste written and checked in %lld ms", clock.elapsed());
}

void TestTerminal::viUsesTheAlternateScreen()
{
    GPUDECK_REQUIRE_ENGINE();
    std::unique_ptr<ShellPage> page = openShell();
    TerminalView *view = page->view();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(view), 30000);
    type(view, QStringLiteral("echo before-vi"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("before-vi")), 20000);
    type(view, QStringLiteral("busybox vi /vi-%1").arg(QCoreApplication::applicationPid()));
    QTRY_VERIFY_WITH_TIMEOUT(view->screen()->isAltScreen(), 20000);
    // Its own screen: the shell's lines are not on it, vi's empty-line marks are.
    QTRY_VERIFY(screenHasLine(view->screen(), QStringLiteral("~")));
    QVERIFY(!screenHasLine(view->screen(), QStringLiteral("before-vi")));
    type(view, QStringLiteral(":q"));
    QTRY_VERIFY_WITH_TIMEOUT(!view->screen()->isAltScreen(), 20000);
    // The shell's screen as it was, and the shell takes keys again.
    QVERIFY(screenHasLine(view->screen(), QStringLiteral("before-vi")));
    type(view, QStringLiteral("echo after-$((6*7))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(view->screen(), QStringLiteral("after-42")), 20000);
}

void TestTerminal::engineGoneWhileShellRuns()
{
    GPUDECK_REQUIRE_ENGINE();
    // An engine of the test's own, SIGKILLed under a running shell: a local dockerd, so the ssh,
    // TLS and Podman runs leave it to the local run.
    if (!TestEngine::host().startsWith(QLatin1String("unix://")) || TestEngine::isPodman())
        QSKIP("the engine's death is tested with the local dockerd");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString engineDir = dir.filePath(QStringLiteral("engine"));
    const TestEngine::CliResult started = TestEngine::startOwnEngine(engineDir, {});
    const auto stopEngine = qScopeGuard([&]() { TestEngine::stopOwnEngine(engineDir); });
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const QString host = QString::fromUtf8(started.out.trimmed().split('\n').last());
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(host, QStringLiteral("own"));
    QVERIFY2(endpoint, qPrintable(endpoint.error().message()));
    DockerClient client(endpoint.value());
    QProcessEnvironment env;
    env.insert(QStringLiteral("DOCKER_HOST"), host);
    const QString cli = qEnvironmentVariable("GPUDECK_TEST_DOCKER_CLI");
    const QString name = QStringLiteral("gpudeck-gone-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult run = TestEngine::runProgram(
        cli.isEmpty() ? QStringLiteral("/usr/bin/docker") : cli,
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
         QStringLiteral("none"), QStringLiteral("--name"), name, QStringLiteral("gpudeck-test"),
         QStringLiteral("sleep"), QStringLiteral("1000")},
        env);
    QVERIFY2(run.exitCode == 0, run.err.constData());

    ShellPage page(&client, name, name);
    page.resize(page.view()->cellSize().width() * 80 + 4,
                page.view()->cellSize().height() * 24 + 40);
    page.show();
    QSignalSpy ended(&page, &ShellPage::ended);
    page.start();
    QTRY_VERIFY_WITH_TIMEOUT(hasPrompt(page.view()), 30000);
    type(page.view(), QStringLiteral("echo alive-$((6*7))"));
    QTRY_VERIFY_WITH_TIMEOUT(screenHasLine(page.view()->screen(), QStringLiteral("alive-42")),
                             20000);

    QFile pidFile(engineDir + QStringLiteral("/dockerd.pid"));
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const qint64 pid = pidFile.readAll().trimmed().toLongLong();
    QVERIFY(pid > 0);
    QElapsedTimer clock;
    clock.start();
    ::kill(pid_t(pid), SIGKILL);
    // Keys typed meanwhile go nowhere and freeze nothing.
    type(page.view(), QStringLiteral("echo after"));
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 15000);
    const QString said = page.findChild<QLabel *>(QStringLiteral("shellStatus"))->text();
    qInfo("engine gone: \"%s\" after %lld ms", qPrintable(said), clock.elapsed());
    QVERIFY(!page.terminal()->isRunning());
    QVERIFY(!page.terminal()->exitCode());
    // One sentence, the daemon's JSON nowhere, and the same words on the screen.
    QVERIFY2(!said.isEmpty() && !said.contains(QLatin1Char('\n')), qPrintable(said));
    QVERIFY2(!said.contains(QLatin1Char('{')), qPrintable(said));
    QVERIFY2(said.contains(QStringLiteral("engine"), Qt::CaseInsensitive), qPrintable(said));
    QVERIFY(page.view()->screen()->screenText().contains(said.left(40)));
    QTest::qWait(200);
    QCOMPARE(ended.size(), 1);
}

QTEST_MAIN(TestTerminal)
#include "tst_terminal.moc"
