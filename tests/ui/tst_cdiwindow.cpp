// The window on the engines that take GPUs as CDI devices, real ones: trixie's Docker 26 with CDI
// (ui_cdi) and Podman 4.3 (ui_cdi.podman), with the fake NVML's two GPUs as this host's.
// On Docker 26 both GPUs are marked as having a CDI device (its stand-in spec names 0 and 1), and
// ticking GPU 1 with Device driver: CDI launches a container that got nvidia.com/gpu=1, the
// docker run tab saying --device nvidia.com/gpu=1. On Podman the podman run tab comes first, no GPU
// is marked (its spec names only other GPUs' UUIDs), the form's note names the missing device
// and the fix, and the launch is refused with that sentence: it never runs without the GPU.
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "gpus/GpuPanel.h"
#include "launch/CommandPane.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

class TestCdiWindow : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cdiDevicesMarkedAndLaunched();

private:
};

void TestCdiWindow::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY2(TestEngine::hasCdi(),
             "ui_cdi runs against the CDI engines (fixtures cdi-engine, podman)");
    QVERIFY(m_settings.isValid());
    useSettings(QStringLiteral("gpudeck-test-cdi"));
    useFakeNvml("two");
}

void TestCdiWindow::cdiDevicesMarkedAndLaunched()
{
    const bool podman = TestEngine::isPodman();
    MainWindow window(TestEngine::host());
    window.setGeometry(0, 0, 1500, 950);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 20000);
    QVERIFY2(!window.engineError().isError(), qPrintable(window.engineError().message()));
    auto *tree = child<QTreeWidget>(&window, "gpuTree");
    QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 2, 15000);
    const auto marked = [tree](int row) {
        return tree->topLevelItem(row)
            ->text(GpuPanel::NameColumn)
            .endsWith(QStringLiteral(" · CDI"));
    };

    auto *tabs = child<QTabWidget>(&window, "commandTabs");
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    if (!podman) {
        QTRY_VERIFY2_WITH_TIMEOUT(
            marked(0) && marked(1),
            qPrintable(tree->topLevelItem(1)->text(GpuPanel::NameColumn) + QLatin1Char('|')
                       + tree->topLevelItem(1)->toolTip(GpuPanel::NameColumn)),
            15000);
        QVERIFY(tabs->tabText(0) != QLatin1String("podman run"));
        spec.deviceDriver = QStringLiteral("cdi");
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("1")});
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0), QStringLiteral("podman run"), 15000);
        QVERIFY(!marked(0) && !marked(1));
        QVERIFY(tree->topLevelItem(0)
                    ->toolTip(GpuPanel::NameColumn)
                    .contains(QLatin1String("No CDI device")));
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
    }
    window.applySpec(spec);
    QCOMPARE(tree->topLevelItem(1)->checkState(GpuPanel::IndexColumn),
             podman ? Qt::Unchecked : Qt::Checked);
    const QString command =
        child<QPlainTextEdit>(&window, podman ? "podmanRunText" : "dockerRunText")->toPlainText();
    const QString device = podman ? QStringLiteral("nvidia.com/gpu=0")
                                  : QStringLiteral("nvidia.com/gpu=1");
    QVERIFY2(command.contains(QStringLiteral("--device ") + device), qPrintable(command));
    if (podman) {
        auto *note = child<QLabel>(&window, "gpuCdiNote");
        QTRY_VERIFY(note->isVisible());
        QVERIFY2(note->text().contains(QLatin1String("nvidia-ctk cdi generate")),
                 qPrintable(note->text()));
    }

    LogView *logs = window.logView();
    QTest::mouseClick(child<QPushButton>(&window, "launchButton"), Qt::LeftButton);
    QTRY_COMPARE(logs->count(), 1);
    LogPage *page = logs->currentPage();
    QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
    const QString text = page->textEdit()->toPlainText();
    if (!podman) {
        QCOMPARE(page->state(), Launcher::State::Exited);
        QVERIFY2(text.contains(QStringLiteral("CDI_DEVICES=") + device), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("exited with code 0")), qPrintable(text));
    } else {
        QCOMPARE(page->state(), Launcher::State::Failed);
        QVERIFY2(text.contains(QStringLiteral("no CDI device ") + device), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("CDI_DEVICES")), qPrintable(text)); // never ran
    }
}

QTEST_MAIN(TestCdiWindow)
#include "tst_cdiwindow.moc"
