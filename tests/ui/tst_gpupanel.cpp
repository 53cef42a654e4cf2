#include "containers/ContainerRecord.h"
#include "gpu/GpuHistory.h"
#include "gpus/GpuPanel.h"
#include "gpus/HistoryPlot.h"
#include "gpus/SparkDelegate.h"

#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

// The GPU panel names who is on a busy GPU, and warns when the user ticks it.
class TestGpuPanel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void busyGpuNamesOwnersAndWarnsAtTick();
    void cdiDevicesMarkedAndMissingOnesNamed();
    void historyPlotStacksOwnersAndSaysSo();
    void alertSaidOnceInTheWindow();
    void csvSaveFromTheMenuSaysWhatHappened();
    void claimedGpuSaysWhoIsStarting();
};

void TestGpuPanel::initTestCase()
{
    // The alert switches are settings: the test's own, not the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-tst-gpupanel"));
    QSettings().clear();
}

void TestGpuPanel::busyGpuNamesOwnersAndWarnsAtTick()
{
    GpuSnapshot s;
    s.driverVersion = QStringLiteral("580.159.04");
    for (int i = 0; i < 2; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = QStringLiteral("GPU-%1").arg(i);
        g.name = QStringLiteral("NVIDIA H200");
        g.memoryTotal = 141LL << 30;
        g.memoryUsed = i == 1 ? 42LL << 30 : 0;
        g.gpuUtil = i == 1 ? 97 : 0;
        g.processesKnown = true;
        s.gpus.append(g);
    }
    GpuInfo::Process train;
    train.pid = 4242;
    train.usedMemory = 40LL << 30;
    train.container = {QString(64, QLatin1Char('a')), QStringLiteral("train-llm"),
                       QStringLiteral("pytorch:2.4"), QStringLiteral("docker"), false};
    GpuInfo::Process eval;
    eval.pid = 4243;
    eval.usedMemory = 2LL << 30;
    eval.user = QStringLiteral("alice");
    eval.command = QStringLiteral("python train.py");
    s.gpus[1].processes = {train, eval};

    GpuPanel panel;
    panel.resize(900, 300);
    panel.show();
    panel.setSnapshot(s);
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    auto *warning = panel.findChild<QLabel *>(QStringLiteral("gpuBusyWarning"));
    QVERIFY(tree && warning);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn),
             QStringLiteral("train-llm (container) 40 GiB · alice: python train.py 2 GiB"));
    const QString tip = tree->topLevelItem(1)->toolTip(GpuPanel::ProcessColumn);
    QVERIFY2(tip.contains(QLatin1String("image pytorch:2.4"))
                 && tip.contains(QLatin1String("PID 4243")),
             qPrintable(tip));

    // Ticking the idle GPU says nothing; ticking the busy one warns, and the warning goes with the tick.
    QSignalSpy changes(&panel, &GpuPanel::busyWarningChanged);
    tree->topLevelItem(0)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(warning->isHidden());
    QVERIFY(panel.busyWarning().isEmpty());
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QTRY_VERIFY(warning->isVisible());
    QVERIFY2(warning->text().contains(
                 QLatin1String("GPU 1 is in use by train-llm (container) 40 GiB")),
             qPrintable(warning->text()));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.at(0).at(0).toString(), panel.busyWarning());
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Unchecked);
    QVERIFY(warning->isHidden());
    QCOMPARE(changes.count(), 2);

    // A container launched from this window is yours: no warning for it.
    s.gpus[1].processes = {train};
    s.gpus[1].processes[0].container.yours = true;
    panel.setSnapshot(s);
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn),
             QStringLiteral("train-llm (yours) 40 GiB"));
    QVERIFY(warning->isHidden());
}

namespace {

// GPUs 0, 1 and 2 (GPU-0, GPU-1, GPU-2): H200s with nothing on them.
GpuSnapshot threeIdleH200s()
{
    GpuSnapshot s;
    for (int i = 0; i < 3; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = QStringLiteral("GPU-%1").arg(i);
        g.name = QStringLiteral("NVIDIA H200");
        g.memoryTotal = 141LL << 30;
        g.memoryUsed = 0;
        g.processesKnown = true;
        s.gpus.append(g);
    }
    return s;
}

} // namespace

// Which GPUs have a CDI device on the engine's host shows in the list; a CDI launch of a ticked
// GPU without one is named under the list before Launch, and nothing is said for other drivers.
void TestGpuPanel::cdiDevicesMarkedAndMissingOnesNamed()
{
    const GpuSnapshot s = threeIdleH200s();
    GpuPanel panel;
    panel.show();
    panel.setSnapshot(s);
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    auto *note = panel.findChild<QLabel *>(QStringLiteral("gpuCdiNote"));
    QVERIFY(tree && note);
    // not known yet
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200"));

    // GPU 0 by index, GPU 2 by UUID; "all" names no single GPU.
    panel.setCdiDevices({QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=GPU-2"),
                         QStringLiteral("nvidia.com/gpu=all")},
                        true);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200 · CDI"));
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::NameColumn), QStringLiteral("H200"));
    QVERIFY(tree->topLevelItem(1)
                ->toolTip(GpuPanel::NameColumn)
                .contains(QLatin1String("No CDI device")));
    QCOMPARE(tree->topLevelItem(2)->data(GpuPanel::IndexColumn, GpuPanel::CdiRole).toString(),
             QStringLiteral("nvidia.com/gpu=GPU-2"));

    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(note->isHidden()); // the legacy driver does not need CDI devices
    panel.setCdiLaunch(true);
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().contains(QLatin1String("(1)"))
                 && note->text().contains(QLatin1String("nvidia-ctk cdi generate")),
             qPrintable(note->text()));
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Unchecked);
    tree->topLevelItem(2)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(note->isHidden());

    // An engine without CDI: no marks.
    panel.setCdiDevices({}, false);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200"));
}

namespace {

constexpr qint64 kGiB = 1LL << 30;

// Ten minutes at one read a second: utilisation 80 %; train-llm holds 20 of 80 GiB throughout,
// a process of alice's 20 GiB more in the last five minutes.
GpuSnapshot playedSecond(int s)
{
    GpuSnapshot snap;
    snap.driverVersion = QStringLiteral("580.159.04");
    snap.taken = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000LL + s * 1000LL, Qt::UTC);
    GpuInfo g;
    g.index = 0;
    g.uuid = QStringLiteral("GPU-0");
    g.name = QStringLiteral("NVIDIA H100");
    g.memoryTotal = 80 * kGiB;
    g.gpuUtil = 80;
    g.processesKnown = true;
    GpuInfo::Process train;
    train.pid = 4242;
    train.usedMemory = 20 * kGiB;
    train.container.id = QString(64, QLatin1Char('a'));
    train.container.name = QStringLiteral("train-llm");
    g.processes << train;
    if (s >= 300) {
        GpuInfo::Process eval;
        eval.pid = 4243;
        eval.usedMemory = 20 * kGiB;
        eval.user = QStringLiteral("alice");
        g.processes << eval;
    }
    g.memoryUsed = 0;
    for (const GpuInfo::Process &p : std::as_const(g.processes))
        g.memoryUsed += p.usedMemory;
    snap.gpus << g;
    return snap;
}

bool near(QColor a, QColor b, int tolerance)
{
    return qAbs(a.red() - b.red()) <= tolerance && qAbs(a.green() - b.green()) <= tolerance
           && qAbs(a.blue() - b.blue()) <= tolerance;
}

// The panel shown with the first `seconds` of the played history recorded, the last one its
// snapshot.
void showPlayed(GpuPanel *panel, GpuHistory *history, int seconds)
{
    for (int s = 0; s < seconds; ++s)
        history->record(playedSecond(s));
    panel->resize(900, 520);
    panel->show();
    panel->setHistory(history, panel);
    panel->setSnapshot(playedSecond(seconds - 1));
}

} // namespace

void TestGpuPanel::historyPlotStacksOwnersAndSaysSo()
{
    GpuHistory history;
    GpuPanel panel;
    showPlayed(&panel, &history, 600);
    auto *plot = panel.findChild<HistoryPlot *>(QStringLiteral("gpuHistoryPlot"));
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    auto *span = panel.findChild<QComboBox *>(QStringLiteral("gpuHistorySpan"));
    QVERIFY(plot && tree && span);
    QCOMPARE(plot->gpu(), QStringLiteral("GPU-0"));
    QCOMPARE(plot->spanMinutes(), 10);

    // The rows' sparklines: the last minute.
    const QList<double> util = tree->topLevelItem(0)
                                   ->data(GpuPanel::UtilColumn, SparkDelegate::SeriesRole)
                                   .value<QList<double>>();
    QCOMPARE(util.size(), 60);
    QCOMPARE(util.last(), 0.8);

    // Pixels: train-llm's band under 25 % everywhere, alice's band between 25 and 50 % only in
    // the last five minutes, nothing above the bands but the utilisation line at 80 %.
    QTRY_VERIFY(plot->isVisible() && plot->height() >= plot->minimumSizeHint().height());
    const QImage image = plot->grab().toImage();
    const QRect area = plot->plotArea();
    const auto at = [&](double xFraction, double yFraction) {
        return image.pixel(area.left() + int(xFraction * area.width()),
                           area.bottom() - int(yFraction * area.height()));
    };
    const QPalette &pal = plot->palette();
    QCOMPARE(at(0.25, 0.12), HistoryPlot::seriesColour(0, pal).rgb());
    QCOMPARE(at(0.75, 0.12), HistoryPlot::seriesColour(0, pal).rgb());
    QCOMPARE(at(0.75, 0.37), HistoryPlot::seriesColour(1, pal).rgb());
    QCOMPARE(at(0.25, 0.37), pal.color(QPalette::Base).rgb());
    QCOMPARE(at(0.5, 0.65), pal.color(QPalette::Base).rgb());
    bool line = false;
    for (int dy = -3; dy <= 3 && !line; ++dy) {
        line = near(image.pixelColor(area.left() + area.width() / 2,
                                     area.bottom() - int(0.8 * area.height()) + dy),
                    pal.color(QPalette::Text), 40);
    }
    QVERIFY2(line, "no utilisation line at 80 %");
    QVERIFY(HistoryPlot::seriesColour(0, pal) != HistoryPlot::seriesColour(1, pal).rgb());

    // For screen readers: the same in words.
    const QString summary = plot->accessibleDescription();
    QCOMPARE(summary, plot->summary());
    QVERIFY2(summary.contains(QLatin1String("GPU 0 (NVIDIA H100), last 10 minutes"))
                 && summary.contains(QLatin1String("utilisation averaged 80 %"))
                 && summary.contains(QLatin1String("memory 40.0 GiB now of 80.0 GiB"))
                 && summary.contains(QLatin1String("train-llm (up to 20.0 GiB)"))
                 && summary.contains(QLatin1String("PID 4243 (alice) (up to 20.0 GiB)")),
             qPrintable(summary));
    QVERIFY(!plot->accessibleName().isEmpty());

    // One minute: alice's process only, under the same span chooser.
    span->setCurrentIndex(0);
    QCOMPARE(plot->spanMinutes(), 1);
    QVERIFY(plot->summary().contains(QLatin1String("last minute:")));

    // Save as CSV: a row a sample, each owner a column.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gpu0.csv"));
    QCOMPARE(plot->saveCsv(path), QString());
    QFile csv(path);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 601);
    QVERIFY2(lines.first().endsWith("train-llm memory_mib,PID 4243 (alice) memory_mib"),
             lines.first().constData());
    QVERIFY(!plot->saveCsv(dir.filePath(QStringLiteral("missing/dir/x.csv"))).isEmpty());

    if (const QByteArray shots = qgetenv("GPUDECK_SCREENSHOT_DIR"); !shots.isEmpty())
        panel.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/gpupanel-history.png"));
}

void TestGpuPanel::alertSaidOnceInTheWindow()
{
    GpuPanel panel;
    panel.show();
    auto *log = panel.findChild<QLabel *>(QStringLiteral("gpuAlertLog"));
    QVERIFY(log);
    QVERIFY(log->isHidden());
    panel.setSnapshot(playedSecond(0)); // busy: train-llm
    GpuSnapshot free = playedSecond(1);
    free.gpus[0].processes.clear();
    free.gpus[0].memoryUsed = 0;
    panel.setSnapshot(free);
    panel.setSnapshot(free); // shown again (the CDI devices changed): not said again
    free.taken = free.taken.addSecs(1);
    panel.setSnapshot(free);
    QVERIFY(log->isVisible());
    QCOMPARE(log->text().count(QLatin1String("GPU 0 (NVIDIA H100) is free now (it was held by "
                                             "train-llm (container))")),
             1);
    QCOMPARE(log->text().count(QLatin1Char('\n')), 0);
}

// The plot's menu saves the CSV through a file dialog; under the plot one sentence says where it
// went, or why it could not be written.
void TestGpuPanel::csvSaveFromTheMenuSaysWhatHappened()
{
    GpuHistory history;
    GpuPanel panel;
    showPlayed(&panel, &history, 30);
    auto *plot = panel.findChild<HistoryPlot *>(QStringLiteral("gpuHistoryPlot"));
    auto *note = panel.findChild<QLabel *>(QStringLiteral("gpuCsvNote"));
    QVERIFY(plot && note);
    QVERIFY(note->isHidden());

    QTemporaryDir dir;
    const auto saveThroughMenu = [&](const QString &path) {
        QContextMenuEvent event(QContextMenuEvent::Mouse, plot->rect().center(),
                                plot->mapToGlobal(plot->rect().center()));
        QCoreApplication::sendEvent(plot, &event);
        QMenu *menu = plot->findChild<QMenu *>();
        QVERIFY(menu);
        QAction *save = menu->findChild<QAction *>(QStringLiteral("saveCsv"));
        QVERIFY(save && save->isEnabled());
        save->trigger();
        menu->close();
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = plot->findChild<QFileDialog *>()));
        QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
        emit dialog->fileSelected(path); // what the dialog says once the user chose
        dialog->close();
    };

    const QString missing = dir.filePath(QStringLiteral("missing/dir/gpu0.csv"));
    saveThroughMenu(missing);
    QVERIFY(note->isVisible());
    const QString text = note->text();
    QVERIFY2(text.startsWith(QStringLiteral("Could not save the GPU history to %1: ")
                                 .arg(QDir::toNativeSeparators(missing))),
             qPrintable(text));
    // One sentence: one full stop, at the end, no line break, no second "Could not".
    QVERIFY2(text.endsWith(QLatin1Char('.')) && !text.contains(QLatin1String(". "))
                 && !text.contains(QLatin1Char('\n')),
             qPrintable(text));
    QVERIFY(!QFile::exists(missing));

    const QString good = dir.filePath(QStringLiteral("gpu0.csv"));
    saveThroughMenu(good);
    QCOMPARE(note->text(),
             QStringLiteral("Saved the GPU history to %1.").arg(QDir::toNativeSeparators(good)));
    QFile csv(good);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 31);
}

// A GPU that another launch has claimed and not started (GpuLedger) says so; a lapsed claim and a
// claim on another GPU do not.
void TestGpuPanel::claimedGpuSaysWhoIsStarting()
{
    const GpuSnapshot s = threeIdleH200s();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ContainerRecord starting;
    starting.id = QStringLiteral("a1");
    starting.name = QStringLiteral("bob-train");
    starting.state = QStringLiteral("created");
    starting.createdAt = now.addSecs(-2);
    starting.labels.insert(ContainerRecord::gpusLabel(), QStringLiteral("GPU-1"));
    ContainerRecord lapsed = starting;
    lapsed.id = QStringLiteral("b2");
    lapsed.name = QStringLiteral("crashed-launch");
    lapsed.createdAt = now.addSecs(-GpuLedger::kClaimSeconds - 5);
    lapsed.labels.insert(ContainerRecord::gpusLabel(), QStringLiteral("2")); // by index

    GpuPanel panel;
    panel.resize(900, 300);
    panel.show();
    panel.setSnapshot(s);
    panel.setClaims(GpuLedger::claimsOf({starting, lapsed}, s));
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn),
             QStringLiteral("claimed by bob-train (starting)"));
    QCOMPARE(tree->topLevelItem(2)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));
    // Judged on the engine's clock: on an engine that far behind this machine, the lapsed
    // claim was made a few seconds ago.
    panel.setClaims(GpuLedger::claimsOf({starting, lapsed}, s),
                    -(GpuLedger::kClaimSeconds + 3) * 1000);
    QCOMPARE(tree->topLevelItem(2)->text(GpuPanel::ProcessColumn),
             QStringLiteral("claimed by crashed-launch (starting)"));
    // Started (a holder now) or gone: the claim no longer shows.
    panel.setClaims({});
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));
}

QTEST_MAIN(TestGpuPanel)
#include "tst_gpupanel.moc"
