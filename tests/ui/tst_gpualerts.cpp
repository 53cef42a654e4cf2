#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "gpus/GpuAlerts.h"
#include "gpus/GpuPanel.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

// The window's alerts against the real sandboxed dockerd and the fake NVML library: a launch
// that ends while the window is not in front is said under the GPU plot.
class TestGpuAlerts : public GuiTestBase
{
    Q_OBJECT

private:
    static void typeLaunch(MainWindow *window, const QString &name, const QString &command)
    {
        auto *image = child<QLineEdit>(window, "imageEdit");
        image->clear();
        QTest::keyClicks(image, QStringLiteral("gpudeck-test:latest"));
        auto *commandEdit = child<QLineEdit>(window, "commandEdit");
        commandEdit->clear();
        QTest::keyClicks(commandEdit, command);
        auto *nameEdit = child<QLineEdit>(window, "nameEdit");
        nameEdit->clear();
        QTest::keyClicks(nameEdit, name);
        auto *network = child<QComboBox>(window, "networkCombo");
        network->lineEdit()->clear();
        QTest::keyClicks(network->lineEdit(), QStringLiteral("none"));
    }

    static LogPage *launchAndWait(MainWindow *window)
    {
        LogView *logs = window->logView();
        const int before = logs->count();
        QTest::mouseClick(child<QPushButton>(window, "launchButton"), Qt::LeftButton);
        if (logs->count() != before + 1)
            return nullptr;
        LogPage *page = logs->currentPage();
        if (!QTest::qWaitFor([page]() { return !page->isActive(); }, 60000))
            return nullptr;
        return page;
    }

    static QString uniqueName(const char *what)
    {
        return QStringLiteral("gpudeck-alerts-%1-%2")
            .arg(QLatin1String(what))
            .arg(QCoreApplication::applicationPid());
    }

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_settings.isValid());
        useSettings(QStringLiteral("gpudeck-test"));
        useFakeNvml("two");
    }

    void init() { QSettings().clear(); }

    // Minimised, the window says that the launch ended, with its name, exit code and how long it
    // ran; in front it says nothing (the tab shows it).
    void launchEndedWhileAwayIsSaid()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QVERIFY2(!window->engineError().isError(), qPrintable(window->engineError().message()));
        auto *alertLog = child<QLabel>(window.get(), "gpuAlertLog");
        QSignalSpy said(window->gpuPanel()->alerts(), &GpuAlerts::logged);

        const QString name = uniqueName("away");
        typeLaunch(window.get(), name, QStringLiteral("sh -c 'sleep 1; exit 3'"));
        window->showMinimized();
        QVERIFY(window->isMinimized());
        LogPage *page = launchAndWait(window.get());
        QVERIFY(page);
        QCOMPARE(page->exitCode(), std::optional<qint64>(3));
        QCOMPARE(said.size(), 1);
        const QString line = said.at(0).at(0).toString();
        QVERIFY2(line.contains(QStringLiteral("%1 finished with exit code 3 after ").arg(name)),
                 qPrintable(line));
        QVERIFY2(line.endsWith(QLatin1String(" s.")), qPrintable(line));
        QVERIFY2(alertLog->text().contains(line), qPrintable(alertLog->text()));

        // In front: nothing more is said.
        window->showNormal();
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get()))
            QSKIP("the platform does not activate windows");
        typeLaunch(window.get(), uniqueName("front"), QStringLiteral("true"));
        QVERIFY(launchAndWait(window.get()));
        QCOMPARE(said.size(), 1);
    }
};

QTEST_MAIN(TestGpuAlerts)
#include "tst_gpualerts.moc"
