// The window's Containers dock against the real sandboxed dockerd and the fake NVML library:
// containers the docker CLI makes show in it, their logs open in a followed tab, the tabs of
// tabs open on running containers come back with the window, and the GPU panel names the
// container that holds a GPU it computes nothing on, also one of another engine of the host (a
// second dockerd of this machine: the TLS engine through its unix socket).
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "containers/ContainerRecord.h"
#include "containers/ContainerWatch.h"
#include "containers/ContainersView.h"
#include "gpus/GpuPanel.h"
#include "launch/LaunchForm.h"
#include "log/LaunchRun.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"
#include "terminal/ExecTerminal.h"
#include "terminal/ShellPage.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"
#include "window/ContainersDock.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

// Says "first" on stdout and "oops" on stderr, then "tick1", "tick2"… five times a second.
const QString kScript = QStringLiteral("echo first; echo oops >&2; i=0; while true; do "
                                       "i=$((i+1)); echo tick$i; sleep 0.2; done");

QString unique(const QString &stem)
{
    return QStringLiteral("gddock-%1-%2").arg(stem).arg(QCoreApplication::applicationPid());
}

QString textOf(const LogPage *page)
{
    return page ? page->textEdit()->toPlainText() : QString();
}

// The newest tick the tab shows; 0 when none.
int lastTick(const LogPage *page)
{
    const QString text = textOf(page);
    const qsizetype at = text.lastIndexOf(QStringLiteral("tick"));
    if (at < 0)
        return 0;
    return text.mid(at + 4).section(QLatin1Char('\n'), 0, 0).toInt();
}

// The GPU panel's row of the GPU with this device ID; null when there is none.
QTreeWidgetItem *gpuRow(const QTreeWidget *tree, const QString &deviceId)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->data(GpuPanel::IndexColumn, GpuPanel::DeviceIdRole) == deviceId)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

} // namespace

class TestContainersDock : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_settings.isValid());
        useSettings(QStringLiteral("gpudeck-test-dock"));
        useFakeNvml("eight");
        QVERIFY(m_presets.isValid());
        qputenv("GPUDECK_PRESET_DIR", m_presets.path().toUtf8());
        // VS Code's addresses come here instead of a browser.
        QDesktopServices::setUrlHandler(QStringLiteral("vscode-remote"), this, "openUrl");
    }

    void init() { QSettings().clear(); }

    void cleanupTestCase()
    {
        if (!m_made.isEmpty())
            TestEngine::docker(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_made);
    }

    void dockShowsContainerAndLogsFollow()
    {
        const QString name = run(QStringLiteral("logs"),
                                 {QStringLiteral("--gpus"), QStringLiteral("device=1")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));

        auto window = openWindow();
        auto *dock = child<ContainersDock>(window.get(), "containersDock");
        QVERIFY(dock);
        QVERIFY(dock->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(dock->view(), 15000);
        ContainersView *view = dock->view();
        QTRY_VERIFY_WITH_TIMEOUT(view->containerWatch()->model()->rowOf(idOf(name)) >= 0, 15000);
        // Its GPU, once its inspect is in (a listing alone does not say).
        const ContainersModel *model = view->containerWatch()->model();
        QTRY_COMPARE_WITH_TIMEOUT(
            model->index(model->rowOf(idOf(name)), ContainersModel::Gpus).data().toString(),
            QStringLiteral("1"), 10000);

        // The toggle hides and shows it.
        QAction *toggle = child<QAction>(window.get(), "actionContainers");
        QVERIFY(toggle);
        toggle->trigger();
        QVERIFY(!dock->isVisible());
        toggle->trigger();
        QVERIFY(dock->isVisible());

        // Logs: the last lines, stdout and stderr apart, then what comes next.
        QVERIFY(view->selectContainer(name));
        QTest::mouseClick(child<QPushButton>(view, "containerLogs"), Qt::LeftButton);
        LogView *logs = window->logView();
        QTRY_VERIFY_WITH_TIMEOUT(logs->pageOf(idOf(name)), 5000);
        LogPage *page = logs->pageOf(idOf(name));
        QCOMPARE(logs->currentPage(), page);
        QTRY_VERIFY_WITH_TIMEOUT(textOf(page).contains(QStringLiteral("first")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(textOf(page).contains(QStringLiteral("oops")), 10000);
        QVERIFY(page->isActive());
        QVERIFY(page->isDetached());
        QVERIFY(!logs->hasActive()); // quitting asks nothing about a followed container
        const int seen = lastTick(page);
        QTRY_VERIFY_WITH_TIMEOUT(lastTick(page) >= seen + 3, 10000); // it follows

        // A second Logs brings the same tab to the front.
        const int tabs = logs->count();
        QTest::mouseClick(child<QPushButton>(view, "containerLogs"), Qt::LeftButton);
        QCOMPARE(logs->count(), tabs);

        // Closing the tab stops following, never the container.
        logs->closeCurrent();
        QCOMPARE(logs->count(), tabs - 1);
        QCOMPARE(inspectRunning(name), QStringLiteral("true"));
    }

    void stopAFollowedContainer()
    {
        // sh as PID 1 ignores SIGTERM: the kill comes after the container's own stop timeout,
        // which a stop without t uses.
        const QString name = run(QStringLiteral("stop"),
                                 {QStringLiteral("--stop-timeout"), QStringLiteral("1")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));
        auto window = openWindow();
        ContainersView *view = selected(window.get(), name);
        QVERIFY2(view, qPrintable(name));
        QTest::mouseClick(child<QPushButton>(view, "containerLogs"), Qt::LeftButton);
        LogPage *page = window->logView()->currentPage();
        QVERIFY(page);
        QTRY_VERIFY_WITH_TIMEOUT(textOf(page).contains(QStringLiteral("first")), 10000);
        window->stopCurrent();
        QTRY_COMPARE_WITH_TIMEOUT(page->state(), Launcher::State::Exited, 15000);
        QCOMPARE(page->exitCode().value_or(-1), 137);
        QVERIFY(textOf(page).contains(QStringLiteral("exited with code 137")));
    }

    void gpuPanelNamesTheHolder()
    {
        const QString name = run(QStringLiteral("held"),
                                 {QStringLiteral("--gpus"), QStringLiteral("device=1")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));
        auto window = openWindow();
        auto *tree = child<QTreeWidget>(window.get(), "gpuTree");
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 8, 15000);
        QTreeWidgetItem *gpu1 = gpuRow(tree, QStringLiteral("1"));
        QVERIFY(gpu1);
        QTRY_VERIFY2_WITH_TIMEOUT(
            gpu1->text(GpuPanel::ProcessColumn).contains(QStringLiteral("held by %1").arg(name)),
            qPrintable(gpu1->text(GpuPanel::ProcessColumn)), 15000);
        QVERIFY(gpu1->text(GpuPanel::ProcessColumn).contains(QStringLiteral("idle")));
        // Taken: free-GPU previews pass over it, and ticking it warns with the holder's name.
        QVERIFY(!gpu1->data(GpuPanel::IndexColumn, GpuPanel::FreeRole).toBool());
        window->gpuPanel()->setSelection(GpuSelection::ofDevices({QStringLiteral("1")}));
        QTRY_VERIFY2_WITH_TIMEOUT(window->gpuPanel()->busyWarning().contains(name),
                                  qPrintable(window->gpuPanel()->busyWarning()), 5000);
        window->gpuPanel()->setSelection(GpuSelection::none());

        // Clicking the owner selects the container in the view.
        ContainersView *view = window->containersDock()->view();
        QVERIFY(view);
        const QRect cell = tree->visualItemRect(gpu1);
        const int x = tree->header()->sectionViewportPosition(GpuPanel::ProcessColumn) + 4;
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, QPoint(x, cell.center().y()));
        QTRY_COMPARE_WITH_TIMEOUT(view->selectedId(), idOf(name), 5000);

        // Its end frees the GPU of this holder (others may hold it still).
        QCOMPARE(TestEngine::docker({QStringLiteral("kill"), name}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!gpu1->text(GpuPanel::ProcessColumn).contains(name), 10000);
    }

    // A container of the host's other engine (an engine the window knows, not the selected one)
    // that holds GPU 2 idle: the panel names it with its engine, and it goes when it ends; the
    // same for a claim there.
    void gpuPanelNamesAHolderOfTheHostsOtherEngine()
    {
        const QString other = qEnvironmentVariable("GPUDECK_TEST_OTHER_HOST");
        QVERIFY2(other.startsWith(QLatin1String("unix://")), "GPUDECK_TEST_OTHER_HOST unset");
        QSettings().setValue(QStringLiteral("engines/added"), QStringList{other});
        QProcessEnvironment otherCli;
        otherCli.insert(QStringLiteral("DOCKER_HOST"), other);
        otherCli.insert(QStringLiteral("DOCKER_TLS_VERIFY"), QString());
        const QString name = unique(QStringLiteral("elsewhere"));
        const auto docker = [&otherCli](const QStringList &args) {
            return TestEngine::runProgram(QStringLiteral("docker"), args, otherCli);
        };
        const TestEngine::CliResult ran = docker(
            {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
             QStringLiteral("none"), QStringLiteral("--name"), name, QStringLiteral("--gpus"),
             QStringLiteral("device=2"), kImage, QStringLiteral("sleep"), QStringLiteral("300")});
        QVERIFY2(ran.exitCode == 0, ran.err.constData());
        auto window = openWindow();
        auto *tree = child<QTreeWidget>(window.get(), "gpuTree");
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 8, 15000);
        QTreeWidgetItem *gpu2 = gpuRow(tree, QStringLiteral("2"));
        QVERIFY(gpu2);
        const QString held = QStringLiteral("held by %1 @ %2").arg(name, other);
        QTRY_VERIFY2_WITH_TIMEOUT(gpu2->text(GpuPanel::ProcessColumn).contains(held),
                                  qPrintable(gpu2->text(GpuPanel::ProcessColumn)), 15000);
        // Its end, an event of the other engine, frees the GPU in the panel.
        QCOMPARE(docker({QStringLiteral("rm"), QStringLiteral("-f"), name}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!gpu2->text(GpuPanel::ProcessColumn).contains(name), 10000);

        // A launch there that has claimed GPU 3 and not started yet (created, with the claim's
        // label) shows as a claim, named with its engine, until it is gone.
        const QString claimer = unique(QStringLiteral("claimer"));
        const TestEngine::CliResult created = docker(
            {QStringLiteral("create"), QStringLiteral("--network"), QStringLiteral("none"),
             QStringLiteral("--name"), claimer, QStringLiteral("--label"),
             ContainerRecord::gpusLabel() + QStringLiteral("=3"), kImage, QStringLiteral("true")});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        QTreeWidgetItem *gpu3 = gpuRow(tree, QStringLiteral("3"));
        QVERIFY(gpu3);
        const QString claimed = QStringLiteral("claimed by %1 @ %2 (starting)").arg(claimer, other);
        QTRY_VERIFY2_WITH_TIMEOUT(gpu3->text(GpuPanel::ProcessColumn).contains(claimed),
                                  qPrintable(gpu3->text(GpuPanel::ProcessColumn)), 15000);
        QCOMPARE(docker({QStringLiteral("rm"), QStringLiteral("-f"), claimer}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!gpu3->text(GpuPanel::ProcessColumn).contains(claimer), 10000);
    }

    void windowRestartBringsBackTheTab()
    {
        const QString name = run(QStringLiteral("preset"),
                                 {QStringLiteral("--label"),
                                  ContainerRecord::presetLabel() + QStringLiteral("=train")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));
        // GPU Deck's too (a preset label), but its tab is not open when the window closes.
        const QString other = run(QStringLiteral("untabbed"),
                                  {QStringLiteral("--label"),
                                   ContainerRecord::presetLabel() + QStringLiteral("=other")});
        QVERIFY2(other.startsWith(QStringLiteral("gddock-")), qPrintable(other));
        const QString id = idOf(name);

        auto first = openWindow();
        ContainersView *view = selected(first.get(), name);
        QVERIFY2(view, qPrintable(name));
        QTest::mouseClick(child<QPushButton>(view, "containerLogs"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(first->logView()->pageOf(id), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(
            textOf(first->logView()->pageOf(id)).contains(QStringLiteral("first")), 10000);
        QVERIFY(!first->logView()->pageOf(idOf(other))); // no tab unless asked for
        QVERIFY(first->close()); // no question: the followed container is detached
        first.reset();
        QCOMPARE(inspectRunning(name), QStringLiteral("true"));

        auto second = openWindow();
        LogView *logs = second->logView();
        QTRY_VERIFY_WITH_TIMEOUT(logs->pageOf(id), 15000);
        // Listed: the tab that was open came back, and only that one.
        QTRY_VERIFY_WITH_TIMEOUT(
            second->containersDock()->view()->containerWatch()->model()->rowOf(idOf(other)) >= 0,
            15000);
        QVERIFY(!logs->pageOf(idOf(other)));
        LogPage *page = logs->pageOf(id);
        QTRY_VERIFY_WITH_TIMEOUT(textOf(page).contains(QStringLiteral("first")), 10000);
        const int seen = lastTick(page);
        QTRY_VERIFY_WITH_TIMEOUT(lastTick(page) >= seen + 3, 10000); // it follows
        // Listed again (a refresh): still one tab for it.
        QSignalSpy listed(second->containersDock()->view()->containerWatch(),
                          &ContainerWatch::listed);
        second->containersDock()->view()->containerWatch()->start();
        QVERIFY(listed.wait(10000));
        int tabsOfIt = 0;
        for (const LogPage *each : logs->pages())
            tabsOfIt += each->run()->id() == id ? 1 : 0;
        QCOMPARE(tabsOfIt, 1);

        // Its end reaches the tab with the exit code.
        QCOMPARE(TestEngine::docker({QStringLiteral("kill"), name}).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(page->state(), Launcher::State::Exited, 10000);
        QCOMPARE(page->exitCode().value_or(-1), 137);
    }

    void launchAgainAndVsCode()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("gpudeck-again:latest");
        spec.command = {QStringLiteral("nvidia-smi")};
        QVERIFY(PresetStore(m_presets.path()).save(Preset(QStringLiteral("again"), spec)).ok());
        const QString name = run(QStringLiteral("again"),
                                 {QStringLiteral("--label"),
                                  ContainerRecord::presetLabel() + QStringLiteral("=again")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));
        auto window = openWindow();
        ContainersView *view = selected(window.get(), name);
        QVERIFY2(view, qPrintable(name));

        auto *again = child<QPushButton>(view, "launchAgain");
        QVERIFY(again->isEnabled());
        QTest::mouseClick(again, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLineEdit>(window.get(), "imageEdit")->text(), spec.image,
                                  5000);

        auto *vsCode = child<QPushButton>(view, "openInVsCode");
        QVERIFY(vsCode->isEnabled());
        QTest::mouseClick(vsCode, Qt::LeftButton);
        // {"containerName":"/NAME"} in hex
        const QByteArray json = QByteArrayLiteral("{\"containerName\":\"/") + name.toUtf8()
                                + QByteArrayLiteral("\"}");
        const QString hex = QString::fromLatin1(QByteArray(json).toHex());
        const QUrl expected(QStringLiteral("vscode-remote://attached-container+%1/").arg(hex));
        QCOMPARE(m_opened, expected);
        QCOMPARE(QGuiApplication::clipboard()->text(), expected.toString());
    }

    void launchAgainWithoutPreset()
    {
        // Another client's container: its launch is read from the engine, and what a launch
        // cannot say is named.
        const QString name = run(QStringLiteral("rebuilt"),
                                 {QStringLiteral("--memory"), QStringLiteral("256m"),
                                  QStringLiteral("-e"), QStringLiteral("ANSWER=42")});
        QVERIFY2(name.startsWith(QStringLiteral("gddock-")), qPrintable(name));
        auto window = openWindow();
        ContainersView *view = selected(window.get(), name);
        QVERIFY2(view, qPrintable(name));
        auto *again = child<QPushButton>(view, "launchAgain");
        QVERIFY(again->isEnabled());
        QTest::mouseClick(again, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window->statusBar()->currentMessage().contains(name), 10000);
        QVERIFY2(window->statusBar()->currentMessage().contains(QStringLiteral("--memory")),
                 qPrintable(window->statusBar()->currentMessage()));
        QCOMPARE(child<QLineEdit>(window.get(), "imageEdit")->text(), kImage);
        const LaunchSpec loaded = window->currentSpec();
        QVERIFY(loaded.env.contains(QStringLiteral("ANSWER=42")));
        QCOMPARE(loaded.command,
                 QStringList({QStringLiteral("sh"), QStringLiteral("-c"), kScript}));
    }

    // Shell runs the first of bash and sh, or the command typed beside it; Attach opens an
    // interactive container's own terminal in a tab (docker run -dit: detached from the start).
    void shellAndAttach()
    {
        const QString plain = run(QStringLiteral("plain"), {});
        QVERIFY2(plain.startsWith(QStringLiteral("gddock-")), qPrintable(plain));
        const QString name = unique(QStringLiteral("dit"));
        m_made << name;
        const TestEngine::CliResult ran = TestEngine::docker(
            {QStringLiteral("run"), QStringLiteral("-dit"), QStringLiteral("--network"),
             QStringLiteral("none"), QStringLiteral("--name"), name, kImage, QStringLiteral("sh")});
        QVERIFY2(ran.exitCode == 0, ran.err.constData());

        auto window = openWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window->containersDock()->view(), 15000);
        ContainersView *view = window->containersDock()->view();
        auto *shell = child<QPushButton>(view, "containerShell");
        auto *attach = child<QPushButton>(view, "attachContainer");
        auto *command = child<QLineEdit>(view, "shellCommand");
        QVERIFY(shell && attach && command);

        // Not interactive: a shell, but nothing to attach to.
        QTRY_VERIFY_WITH_TIMEOUT(view->selectContainer(plain), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(shell->isEnabled(), 10000);
        QVERIFY(!attach->isEnabled());

        QTRY_VERIFY_WITH_TIMEOUT(view->selectContainer(name), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(attach->isEnabled(), 10000); // once its inspect is in
        QTest::mouseClick(shell, Qt::LeftButton);
        auto *page = window->containersDock()->findChild<ShellPage *>();
        QVERIFY(page);
        QVERIFY(page->isWindow());
        QTRY_VERIFY_WITH_TIMEOUT(page->view()->screen()->screenText().contains(
                                     QStringLiteral("/ #")),
                                 30000);
        QTest::keyClicks(page->view(), QStringLiteral("echo sh-$((6*7))"));
        QTest::keyClick(page->view(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(hasLine(page->view()->screen(), QStringLiteral("sh-42")), 20000);
        page->close(); // deletes it
        QTRY_VERIFY(!window->containersDock()->findChild<ShellPage *>());

        // A command of one's own, its exit code shown when it ends.
        command->setText(QStringLiteral("sh -c 'echo own; exit 5'"));
        QTest::mouseClick(shell, Qt::LeftButton);
        page = window->containersDock()->findChild<ShellPage *>();
        QVERIFY(page);
        QTRY_COMPARE_WITH_TIMEOUT(page->terminal()->exitCode(), std::optional<int>(5), 30000);
        QVERIFY(hasLine(page->view()->screen(), QStringLiteral("own")));
        page->close();

        // Attach: the container's own shell in a terminal tab.
        LogView *logs = window->logView();
        QTest::mouseClick(attach, Qt::LeftButton);
        LogPage *tab = logs->currentPage();
        QVERIFY(tab);
        QVERIFY(tab->terminal());
        QCOMPARE(tab->run()->id(), idOf(name));
        QTRY_VERIFY_WITH_TIMEOUT(tab->isRunning(), 15000);
        // Attach again: the same tab.
        const int tabs = logs->count();
        QTest::mouseClick(attach, Qt::LeftButton);
        QCOMPARE(logs->count(), tabs);
        QCOMPARE(logs->currentPage(), tab);
        TerminalView *terminal = tab->terminal();
        QTest::keyClicks(terminal, QStringLiteral("echo at-$((40+2))"));
        QTest::keyClick(terminal, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(hasLine(terminal->screen(), QStringLiteral("at-42")), 20000);
        QVERIFY(!logs->hasActive()); // quitting asks nothing: it ran before the window

        // Closing asks; Stop ends the container.
        logs->closeCurrent();
        QMessageBox *question = logs->closeQuestion();
        QVERIFY(question);
        QTest::mouseClick(child<QAbstractButton>(question, "terminalStop"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(inspectRunning(name), QStringLiteral("false"), 30000);
    }

public slots:
    void openUrl(const QUrl &url) { m_opened = url; }

private:
    QString run(const QString &stem, const QStringList &options)
    {
        const QString name = unique(stem);
        m_made << name;
        const TestEngine::CliResult ran = TestEngine::docker(
            QStringList{QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
                        QStringLiteral("none"), QStringLiteral("--name"), name}
            + options + QStringList{kImage, QStringLiteral("sh"), QStringLiteral("-c"), kScript});
        return ran.exitCode == 0 ? name : QString::fromUtf8(ran.err);
    }

    static bool hasLine(const TerminalScreen *screen, const QString &line)
    {
        for (int row = -screen->scrollbackSize(); row < screen->rows(); ++row) {
            if (screen->lineText(row) == line)
                return true;
        }
        return false;
    }

    // The window's Containers view once it lists container name, which it selects; null when it
    // does not within 15 s.
    static ContainersView *selected(MainWindow *window, const QString &name)
    {
        ContainersView *view = nullptr;
        const bool listed = QTest::qWaitFor(
            [&]() {
                view = window->containersDock()->view();
                return view && view->selectContainer(name);
            },
            15000);
        return listed ? view : nullptr;
    }
    static QString idOf(const QString &name)
    {
        return QString::fromUtf8(
                   TestEngine::docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                                       QStringLiteral("{{.Id}}"), name})
                       .out)
            .trimmed();
    }

    static QString inspectRunning(const QString &name)
    {
        return QString::fromUtf8(
                   TestEngine::docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                                       QStringLiteral("{{.State.Running}}"), name})
                       .out)
            .trimmed();
    }

    QStringList m_made;
    QTemporaryDir m_presets;
    QUrl m_opened;
};

QTEST_MAIN(TestContainersDock)
#include "tst_containersdock.moc"
