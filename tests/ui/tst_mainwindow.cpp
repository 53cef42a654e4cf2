#include "Await.h"
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "Slowdown.h"
#include "TestEngine.h"
#include "engine/DockerClient.h"
#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/CapabilityBox.h"
#include "launch/LaunchForm.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStyle>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

// The window against the real sandboxed dockerd (its stub nvidia-smi prints what the daemon put
// into the container) and the fake NVML library with 8 GPUs.
class TestMainWindow : public GuiTestBase
{
    Q_OBJECT

private:
    // Fills the form the way a user would: image and command typed, network "none".
    static void typeLaunch(MainWindow *window, const QString &command)
    {
        auto *image = child<QLineEdit>(window, "imageEdit");
        image->clear();
        QTest::keyClicks(image, QStringLiteral("gpudeck-test:latest"));
        auto *commandEdit = child<QLineEdit>(window, "commandEdit");
        commandEdit->clear();
        QTest::keyClicks(commandEdit, command);
        auto *network = child<QComboBox>(window, "networkCombo");
        network->lineEdit()->clear();
        QTest::keyClicks(network->lineEdit(), QStringLiteral("none"));
    }

    static LogPage *launchAndWait(MainWindow *window, int timeoutMs = 60000)
    {
        LogView *logs = child<LogView>(window, "logView");
        const int before = logs->count();
        QTest::mouseClick(child<QPushButton>(window, "launchButton"), Qt::LeftButton);
        if (logs->count() != before + 1)
            return nullptr;
        LogPage *page = logs->currentPage();
        QElapsedTimer clock;
        clock.start();
        while (page->isActive() && clock.elapsed() < timeoutMs)
            QTest::qWait(20);
        return page;
    }

    // The character format of the first fragment holding text.
    static QTextCharFormat formatOf(QPlainTextEdit *edit, const QString &text)
    {
        for (QTextBlock block = edit->document()->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                if (it.fragment().text().contains(text))
                    return it.fragment().charFormat();
            }
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_settings.isValid());
        useSettings(QStringLiteral("gpudeck-test"));
        useFakeNvml("eight");
    }

    void init() { QSettings().clear(); }

    void tickedGpusReachTheContainer()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QVERIFY2(!window->engineError().isError(), qPrintable(window->engineError().message()));
        auto *tree = child<QTreeWidget>(window.get(), "gpuTree");
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 8, 10000);
        QTRY_VERIFY(window->imageList()->imageCount() >= 1);

        typeLaunch(window.get(), QStringLiteral("nvidia-smi"));
        // Tick GPUs 0 and 2 with the keyboard, as a user tabbing through would.
        tree->setFocus();
        for (int index : {0, 2}) {
            tree->setCurrentItem(tree->topLevelItem(index));
            QTest::keyClick(tree, Qt::Key_Space);
            QCOMPARE(tree->topLevelItem(index)->checkState(GpuPanel::IndexColumn), Qt::Checked);
        }
        // Only compute: the defaults tick utility too.
        auto *utility = child<QCheckBox>(window.get(), "cap_utility");
        auto *compute = child<QCheckBox>(window.get(), "cap_compute");
        if (utility->isChecked())
            QTest::mouseClick(utility, Qt::LeftButton, {}, QPoint(6, utility->height() / 2));
        if (!compute->isChecked())
            QTest::mouseClick(compute, Qt::LeftButton, {}, QPoint(6, compute->height() / 2));
        QCOMPARE(window->currentSpec().capabilities, QStringList{QStringLiteral("compute")});
        QCOMPARE(window->currentSpec().gpus,
                 GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("2")}));

        // Launch with the keyboard shortcut.
        LogView *logs = window->logView();
        QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE(logs->count(), 1);
        LogPage *page = logs->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
        const QString text = page->textEdit()->toPlainText();
        QVERIFY2(page->launcher()->state() == Launcher::State::Exited, qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("NVIDIA_VISIBLE_DEVICES=0,2")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("NVIDIA_DRIVER_CAPABILITIES=compute")),
                 qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("exited with code 0")), qPrintable(text));
        QVERIFY(child<QLabel>(page, "statusLabel")
                    ->text()
                    .contains(QLatin1String("Exited with code 0")));
    }

    // A command the image does not have: the tab says what docker run's 127 means, not a bare
    // launch failure.
    void missingCommandSaysExited127()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QTRY_VERIFY(window->imageList()->imageCount() >= 1);
        typeLaunch(window.get(), QStringLiteral("gpudeck-no-such-command"));
        LogView *logs = window->logView();
        QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE(logs->count(), 1);
        LogPage *page = logs->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
        const QString status = child<QLabel>(page, "statusLabel")->text();
        QVERIFY2(status.startsWith(QLatin1String("Exited 127: command not found")),
                 qPrintable(status));
        const QString text = page->textEdit()->toPlainText();
        QVERIFY2(text.contains(QLatin1String("Exited 127: command not found")), qPrintable(text));
    }

    // On a 1366x768 laptop the GPU table shows who is on each GPU without a horizontal scroll
    // bar: the names give way (elided, whole in their tooltips), the Processes column keeps room
    // for an owner like "train-llm (container) 40 GiB".
    void gpuTableFitsA1366Screen()
    {
        auto window = std::make_unique<MainWindow>(TestEngine::host());
        window->setGeometry(0, 0, 1366, 740); // the screen less a panel, from the first show
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        auto *tree = child<QTreeWidget>(window.get(), "gpuTree");
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 8, 15000);
        QTRY_VERIFY(tree->isVisible());
        QHeaderView *header = tree->header();
        const auto widths = [&]() {
            QStringList list;
            for (int c = 0; c < header->count(); ++c)
                list << QString::number(header->sectionSize(c));
            return QStringLiteral("tree %1 px, columns %2")
                .arg(tree->viewport()->width())
                .arg(list.join(QLatin1Char(' ')));
        };
        qInfo("%s; an owner takes %d px", qPrintable(widths()),
              tree->fontMetrics().horizontalAdvance(
                  QStringLiteral("train-llm (container) 40 GiB")));
        QVERIFY2(!tree->horizontalScrollBar()->isVisible(), qPrintable(widths()));
        const int margins =
            2 * tree->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, tree) + 2;
        const int wanted = tree->fontMetrics().horizontalAdvance(
                               QStringLiteral("train-llm (container) 40 GiB"))
                           + margins;
        QVERIFY2(header->sectionSize(GpuPanel::ProcessColumn) >= wanted, qPrintable(widths()));
        // The model is shown whole ("H100 80GB HBM3"; the tooltip has "NVIDIA …" and the UUID).
        const QString name = tree->topLevelItem(0)->text(GpuPanel::NameColumn);
        QVERIFY2(!name.startsWith(QLatin1String("NVIDIA")), qPrintable(name));
        QVERIFY2(header->sectionSize(GpuPanel::NameColumn)
                     >= tree->fontMetrics().horizontalAdvance(name),
                 qPrintable(widths()));
        // The engine list keeps its names and GPU counts in sight too.
        auto *engines = child<QTreeWidget>(window.get(), "engineList");
        QVERIFY2(!engines->horizontalScrollBar()->isVisible(), "the engine list scrolls sideways");
    }

    // Image names come first on a laptop: at the size the window opens with on a 1366x768 screen
    // (9/10 of it), maximised there, and on 1920x1080, every image name is shown whole (Size, Age
    // and CUDA give way, their values in the name's tooltip) and the engine list's columns fit its
    // width, so no GPU count needs a sideways scroll.
    void namesFitEveryScreen_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1366x768, first start") << QSize(1229, 691);
        QTest::newRow("1366x768, maximised") << QSize(1366, 740);
        QTest::newRow("1920x1080, maximised") << QSize(1920, 1050);
    }

    void namesFitEveryScreen()
    {
        QFETCH(QSize, size);
        auto window = std::make_unique<MainWindow>(TestEngine::host());
        window->setGeometry(QRect(QPoint(0, 0), size));
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        auto *images = child<QTreeView>(window.get(), "imageView");
        QTRY_VERIFY_WITH_TIMEOUT(images->model()->rowCount() > 0, 15000);
        QHeaderView *header = images->header();
        const int icon = images->iconSize().width() > 0
                             ? images->iconSize().width()
                             : images->style()->pixelMetric(QStyle::PM_SmallIconSize);
        for (int row = 0; row < images->model()->rowCount(); ++row) {
            const QString name = images->model()->index(row, 0).data().toString();
            const int wanted = images->fontMetrics().horizontalAdvance(name) + icon;
            QVERIFY2(header->sectionSize(0) >= wanted,
                     qPrintable(QStringLiteral("%1 needs %2 px, its column has %3 of %4")
                                    .arg(name)
                                    .arg(wanted)
                                    .arg(header->sectionSize(0))
                                    .arg(images->viewport()->width())));
        }
        auto *engines = child<QTreeWidget>(window.get(), "engineList");
        QHeaderView *columns = engines->header();
        int used = 0;
        for (int c = 0; c < columns->count(); ++c)
            used += columns->isSectionHidden(c) ? 0 : columns->sectionSize(c);
        QVERIFY2(used <= engines->viewport()->width(),
                 qPrintable(QStringLiteral("engine columns take %1 px of %2")
                                .arg(used)
                                .arg(engines->viewport()->width())));
    }

    void firstStartOffersAnImageAndRefreshKeepsWhatWasTyped()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        auto *image = child<QLineEdit>(window.get(), "imageEdit");
        // Nothing remembered: the form is given a local image (the GPU-ready test image).
        QTRY_VERIFY_WITH_TIMEOUT(!image->text().isEmpty(), 15000);
        QVERIFY(image->text().startsWith(QLatin1String("gpudeck-")));

        // Pick one in the list, then type another: a refresh must not put the pick back.
        auto *view = child<QTreeView>(window.get(), "imageView");
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 15000);
        view->setCurrentIndex(view->model()->index(0, 0));
        const QString picked = view->model()->index(0, 0).data().toString();
        QCOMPARE(image->text(), picked);
        image->clear();
        QTest::keyClicks(image, QStringLiteral("typed/by-hand:1"));
        QSignalSpy reset(view->model(), &QAbstractItemModel::modelReset);
        QSignalSpy inserted(view->model(), &QAbstractItemModel::rowsInserted);
        QTest::mouseClick(child<QToolButton>(window.get(), "imageRefresh"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(reset.count() + inserted.count() > 0, 15000); // the list reloaded
        QTRY_COMPARE_WITH_TIMEOUT(view->currentIndex().data().toString(), picked, 15000);
        QCOMPARE(image->text(), QStringLiteral("typed/by-hand:1"));
    }

    // "Free": the panel says which GPUs count as free, the launch takes the idle one by UUID, and
    // the log tab and the docker run line name it.
    void freeModeTakesTheIdleGpu()
    {
        qputenv("GPUDECK_FAKE_NVML_SCENARIO", "shared"); // GPU 0 busy, GPU 1 idle
        const auto restore = qScopeGuard([]() { qputenv("GPUDECK_FAKE_NVML_SCENARIO", "eight"); });
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        auto *tree = child<QTreeWidget>(window.get(), "gpuTree");
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 2, 10000);
        // Busy: its two processes are listed (since issue 15 by owner and memory, no longer "busy: N").
        QVERIFY(!tree->topLevelItem(0)->data(GpuPanel::IndexColumn, GpuPanel::FreeRole).toBool());
        QVERIFY2(tree->topLevelItem(0)->text(GpuPanel::ProcessColumn).count(QStringLiteral(" · "))
                     == 1,
                 qPrintable(tree->topLevelItem(0)->text(GpuPanel::ProcessColumn)));
        QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));

        typeLaunch(window.get(), QStringLiteral("nvidia-smi"));
        QTest::mouseClick(child<QWidget>(window.get(), "gpuModeFree"), Qt::LeftButton);
        QVERIFY(child<QLabel>(window.get(), "freeNote")->isVisible());
        QCOMPARE(window->currentSpec().gpus, GpuSelection::ofFree(1));
        // The preview ticks the idle GPU, not the first one.
        QCOMPARE(tree->topLevelItem(0)->checkState(GpuPanel::IndexColumn), Qt::Unchecked);
        QCOMPARE(tree->topLevelItem(1)->checkState(GpuPanel::IndexColumn), Qt::Checked);
        const QString uuid = QStringLiteral("GPU-00000000-0000-0000-0000-000000000010");
        QTRY_VERIFY(child<QPlainTextEdit>(window.get(), "dockerRunText")
                        ->toPlainText()
                        .contains(QStringLiteral("device=") + uuid));

        LogPage *page = launchAndWait(window.get());
        QVERIFY(page);
        const QString text = page->textEdit()->toPlainText();
        QVERIFY2(page->launcher()->state() == Launcher::State::Exited, qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("NVIDIA_VISIBLE_DEVICES=") + uuid), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Taking GPU 1 (%1) (1 free GPU)").arg(uuid)),
                 qPrintable(text));
        QVERIFY(
            child<QLabel>(page, "statusLabel")->text().contains(QStringLiteral("GPU 1 (") + uuid));
    }

    // Closing with a running container asks once, without blocking: Cancel keeps the window,
    // "Leave running" closes it with the container still running on the engine, "Stop them"
    // stops it before the window goes.
    void closingAsksAboutRunningContainers()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        LogView *logs = child<LogView>(window.get(), "logView");
        auto launchSleeper = [&]() -> LogPage * {
            typeLaunch(window.get(), QStringLiteral("sleep 300"));
            QTest::mouseClick(child<QPushButton>(window.get(), "launchButton"), Qt::LeftButton);
            LogPage *page = logs->currentPage();
            if (page
                && !QTest::qWaitFor(
                    [page]() { return page->launcher()->state() == Launcher::State::Running; },
                    30000))
                return nullptr;
            return page;
        };
        auto stateOf = [&](const QString &id) {
            const auto inspected = await<QJsonObject>(
                [&](QObject *context, std::function<void(const Result<QJsonObject> &)> done) {
                    window->client()->inspectContainer(id, context, std::move(done));
                });
            return inspected ? inspected.value()
                                   .value(QStringLiteral("State"))
                                   .toObject()
                                   .value(QStringLiteral("Status"))
                                   .toString()
                             : QStringLiteral("gone");
        };
        LogPage *first = launchSleeper();
        QVERIFY(first);
        const QString firstId = first->launcher()->containerId();

        QVERIFY(!window->close());
        auto *question = window->findChild<QMessageBox *>(QStringLiteral("closeQuestion"));
        QVERIFY(question);
        QTRY_VERIFY(question->isVisible());
        QVERIFY(question->text().contains(QLatin1String("1 container")));
        QTest::mouseClick(child<QPushButton>(question, "closeCancel"), Qt::LeftButton);
        QTRY_VERIFY(!window->findChild<QMessageBox *>(QStringLiteral("closeQuestion")));
        QVERIFY(window->isVisible());
        QVERIFY(first->isActive());

        // Stop them and quit: the window hides at once and closes once the engine stopped it.
        QVERIFY(!window->close());
        question = window->findChild<QMessageBox *>(QStringLiteral("closeQuestion"));
        QVERIFY(question);
        QTest::mouseClick(child<QPushButton>(question, "closeStop"), Qt::LeftButton);
        QVERIFY(!window->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!first->isActive(), 20000);
        // stopped, and --rm removed it
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(firstId), QStringLiteral("gone"), 15000);

        // Leave running and quit: the window closes at once, the container runs on.
        auto again = openWindow(TestEngine::host());
        window.swap(again);
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        logs = child<LogView>(window.get(), "logView");
        LogPage *second = launchSleeper();
        QVERIFY(second);
        const QString secondId = second->launcher()->containerId();
        QVERIFY(!window->close());
        question = window->findChild<QMessageBox *>(QStringLiteral("closeQuestion"));
        QVERIFY(question);
        QTest::mouseClick(child<QPushButton>(question, "closeLeave"), Qt::LeftButton);
        QVERIFY(!window->isVisible());
        QCOMPARE(stateOf(secondId), QStringLiteral("running"));
        const auto removed = await<void>(
            [&](QObject *context, std::function<void(const Result<void> &)> done) {
                window->client()->removeContainer(secondId, true, context, std::move(done));
            });
        QVERIFY2(removed.ok(), qPrintable(removed ? QString() : removed.error().message()));
    }

    void countModeSaysWhichGpus()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_COMPARE_WITH_TIMEOUT(child<QTreeWidget>(window.get(), "gpuTree")->topLevelItemCount(),
                                  8, 10000);
        QTest::mouseClick(child<QWidget>(window.get(), "gpuModeCount"), Qt::LeftButton);
        auto *note = child<QLabel>(window.get(), "countNote");
        QVERIFY(note->isVisible());
        QVERIFY(note->text().contains(QLatin1String("first N GPUs (0..N-1), not the free ones")));
        QCOMPARE(window->currentSpec().gpus, GpuSelection::ofCount(1));
    }

    void stderrShownApartWithExitCode()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        typeLaunch(window.get(),
                   QStringLiteral("sh -c 'echo out-line; echo err-line >&2; exit 3'"));
        LogPage *page = launchAndWait(window.get());
        QVERIFY(page);
        const QString text = page->textEdit()->toPlainText();
        QVERIFY2(text.contains(QLatin1String("out-line"))
                     && text.contains(QLatin1String("err-line")),
                 qPrintable(text));
        const QTextCharFormat err = formatOf(page->textEdit(), QStringLiteral("err-line"));
        const QTextCharFormat out = formatOf(page->textEdit(), QStringLiteral("out-line"));
        QCOMPARE(err.property(LogPage::ChannelProperty).toInt(),
                 int(StreamDemuxer::Channel::Stderr));
        QCOMPARE(out.property(LogPage::ChannelProperty).toInt(),
                 int(StreamDemuxer::Channel::Stdout));
        QCOMPARE(err.foreground().color(), LogPage::stderrColor());
        QVERIFY(out.foreground().color() != LogPage::stderrColor());
        QVERIFY2(text.contains(QLatin1String("exited with code 3")), qPrintable(text));
        QVERIFY(child<QLabel>(page, "statusLabel")
                    ->text()
                    .contains(QLatin1String("Exited with code 3")));
    }

    // Each tab's state icon is the one shared icon of that state: a QIcon made anew for every
    // tab adds its own rendered pixmaps to the pixmap cache, which grew the window by about
    // 16 KB per launch (bench_window --launches).
    void tabsShareTheirStateIcons()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        typeLaunch(window.get(), QStringLiteral("true"));
        for (int i = 0; i < 2; ++i) {
            LogPage *page = launchAndWait(window.get());
            QVERIFY(page);
            QVERIFY2(page->launcher()->exitCode() == 0, qPrintable(page->statusText()));
        }
        auto *tabs = window->logView()->findChild<QTabWidget *>();
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 2);
        QVERIFY(!tabs->tabIcon(0).isNull());
        QCOMPARE(tabs->tabIcon(1).cacheKey(), tabs->tabIcon(0).cacheKey());
    }

    void invalidInputFlaggedAtTheField()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        typeLaunch(window.get(), QStringLiteral("true"));
        auto *shm = child<QLineEdit>(window.get(), "shmEdit");
        QTest::keyClicks(shm, QStringLiteral("lots"));
        QTest::mouseClick(child<QPushButton>(window.get(), "launchButton"), Qt::LeftButton);
        QCOMPARE(window->logView()->count(), 0);
        QVERIFY(shm->property("issue").toString().contains(QLatin1String("lots")));
        QCOMPARE(shm->toolTip(), shm->property("issue").toString());
        QVERIFY(child<QLabel>(window.get(), "formIssues")->isVisible());

        shm->clear();
        QTest::keyClicks(shm, QStringLiteral("256m"));
        QVERIFY(shm->property("issue").toString().isEmpty());

        // An unclosed quote is the form's own finding.
        auto *command = child<QLineEdit>(window.get(), "commandEdit");
        QTest::keyClicks(command, QStringLiteral(" 'oops"));
        QVERIFY(command->property("issue").toString().contains(QLatin1String("unclosed")));
    }

    void engineUnreachableSaysSoInOneSentence()
    {
        QTemporaryDir dir;
        const QString host = QStringLiteral("unix://") + dir.path()
                             + QStringLiteral("/no-docker.sock");
        auto window = openWindow(host);
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QVERIFY(window->engineError().isError());
        const QString status = child<QLabel>(window.get(), "engineStatus")->text();
        QCOMPARE(status, window->engineError().message());
        QVERIFY2(!status.contains(QLatin1Char('{')) && !status.contains(QLatin1Char('\n')),
                 qPrintable(status));
        QVERIFY2(status.contains(QLatin1String("no-docker.sock")), qPrintable(status));
        QVERIFY(window->windowTitle().contains(QLatin1String("GPU Deck")));

        // A launch fails with the same kind of sentence, in its tab, and nothing breaks.
        typeLaunch(window.get(), QStringLiteral("true"));
        LogPage *page = launchAndWait(window.get(), 20000);
        QVERIFY(page);
        QCOMPARE(page->launcher()->state(), Launcher::State::Failed);
        const QString text = page->textEdit()->toPlainText();
        QVERIFY2(text.contains(QLatin1String("Launch failed: ")), qPrintable(text));
        QVERIFY(!text.contains(QLatin1Char('{')));
        QTest::keyClick(window.get(), Qt::Key_W, Qt::ControlModifier);
        QTRY_COMPARE(window->logView()->count(), 0);
    }

    void floodKeepsTheWindowResponsive()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        constexpr qint64 total = 200'000'000;
        typeLaunch(window.get(),
                   QStringLiteral("sh -c 'yes 0123456789abcdef | head -c %1'").arg(total));

        QElapsedTimer sinceTick;
        qint64 longestGap = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this,
                [&]() { longestGap = qMax(longestGap, sinceTick.restart()); });
        const double slowdownBefore = measuredSlowdown();
        sinceTick.start();
        ticker.start();
        QElapsedTimer clock;
        clock.start();
        LogPage *page = launchAndWait(window.get(), 240000);
        ticker.stop();
        QVERIFY(page);
        // The bound is for an idle machine; on a loaded one it grows by the slowdown measured
        // around the flood.
        const double slowdown = qMax(slowdownBefore, measuredSlowdown());
        qInfo("200 MB flood: %lld ms, longest gap %lld ms (bound %.0f ms, slowdown %.2f), %lld "
              "bytes rendered, "
              "%lld skipped, %d blocks",
              clock.elapsed(), longestGap, 500 * slowdown, slowdown, page->bytesRendered(),
              page->bytesSkipped(), page->textEdit()->blockCount());
        QCOMPARE(page->launcher()->state(), Launcher::State::Exited);
        QCOMPARE(page->launcher()->exitCode().value_or(-1), 0);
        QCOMPARE(page->bytesReceived(), total);
        QVERIFY2(longestGap < 500 * slowdown, qPrintable(QString::number(longestGap)));
        QVERIFY(page->textEdit()->blockCount() <= LogPage::DefaultMaxBlocks);
        QVERIFY(page->textEdit()->toPlainText().contains(QLatin1String("exited with code 0")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
