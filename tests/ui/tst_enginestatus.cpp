#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "doctor/DoctorDialog.h"
#include "engine/EngineWatch.h"
#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <csignal>
#include <memory>

// The engine's state in the window and the doctor dialog, against an engine this test owns
// (started without the stand-in toolkit hook, so GPU launches fail as on a host without the
// NVIDIA Container Toolkit), which it stops and starts again without disturbing other tests.
class TestEngineStatus : public GuiTestBase
{
    Q_OBJECT

private:
    static void setText(MainWindow *window, const char *name, const QString &text)
    {
        auto *combo = window->findChild<QComboBox *>(QLatin1String(name));
        QLineEdit *edit = combo ? combo->lineEdit() : child<QLineEdit>(window, name);
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }

    bool startEngine()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("GPUDECK_TEST_ENGINE_NO_HOOK"), QStringLiteral("1"));
        const TestEngine::CliResult started =
            TestEngine::runProgram(m_script, {QStringLiteral("start"), m_engineDir}, env, 120000);
        if (started.exitCode != 0) {
            qWarning("test engine did not start: %s", started.err.constData());
            return false;
        }
        m_host = QString::fromUtf8(started.out.trimmed().split('\n').last());
        return true;
    }

    // dockerd goes away as when it crashes or is stopped: the process ends, its socket with it.
    bool stopEngineProcess()
    {
        QFile pidFile(m_engineDir + QStringLiteral("/dockerd.pid"));
        if (!pidFile.open(QIODevice::ReadOnly))
            return false;
        const pid_t pid = pid_t(pidFile.readAll().trimmed().toLongLong());
        return pid > 1 && ::kill(pid, SIGTERM) == 0;
    }

    QTemporaryDir m_dir{QStringLiteral("/tmp/gpudeck-uiengine-XXXXXX")};
    QTemporaryDir m_presets;
    QString m_script = QStringLiteral(GPUDECK_SOURCE_DIR "/tests/scripts/test-engine.sh");
    QString m_engineDir;
    QString m_host;

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE(); // root and dockerd are there: this test starts its own
        QVERIFY(m_dir.isValid());
        useSettings(QStringLiteral("gpudeck-test-engine"));
        QSettings().clear();
        qputenv("GPUDECK_PRESET_DIR", m_presets.path().toUtf8());
        useFakeNvml("two");
        m_engineDir = m_dir.filePath(QStringLiteral("engine"));
        QVERIFY(startEngine());
    }

    void init()
    {
        QSettings().clear(); // no launch remembered from the test before (GPU 0 ticked)
    }

    void cleanupTestCase()
    {
        if (!m_engineDir.isEmpty())
            TestEngine::runProgram(m_script, {QStringLiteral("stop"), m_engineDir});
    }

    void doctorShowsTheToolkitLineFailing()
    {
        MainWindow window(m_host);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        QVERIFY2(!window.engineError().isError(), qPrintable(window.engineError().message()));
        DoctorDialog *dialog = window.showDoctor();
        QVERIFY(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->doctor()->isFinished(), 60000);
        QWidget *engine = child<QWidget>(dialog, "doctorCheck_engine");
        QCOMPARE(engine->property("status").toString(), QStringLiteral("pass"));
        QWidget *probe = child<QWidget>(dialog, "doctorCheck_gpu-request");
        QCOMPARE(probe->property("status").toString(), QStringLiteral("fail"));
        auto *fix = child<QLabel>(probe, "fix");
        QVERIFY(fix);
        // A widget added to a shown layout is shown on the next turn of the event loop.
        QTRY_VERIFY(fix->isVisible());
        QVERIFY2(fix->text().contains(QLatin1String("NVIDIA Container Toolkit")),
                 qPrintable(fix->text()));
        QVERIFY(!fix->text().contains(QLatin1Char('{')));
        QVERIFY(child<QLabel>(dialog, "doctorSummary")->text().contains(QLatin1String("failed")));
        dialog->close();
    }

    void gpuLaunchFailureOffersTheDoctor()
    {
        MainWindow window(m_host);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(window.gpuPanel()->gpuCount(), 2, 10000);
        setText(&window, "imageEdit", QStringLiteral("gpudeck-test:latest"));
        setText(&window, "commandEdit", QStringLiteral("nvidia-smi"));
        setText(&window, "networkCombo", QStringLiteral("none"));
        child<QTreeWidget>(&window, "gpuTree")
            ->topLevelItem(0)
            ->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
        window.launch();
        QCOMPARE(window.logView()->count(), 1);
        LogPage *page = window.logView()->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
        QCOMPARE(page->launcher()->state(), Launcher::State::Failed);
        QCOMPARE(page->launcher()->error().code(), Error::Code::DeviceDriver);

        QTRY_VERIFY(window.offer());
        QCOMPARE(window.offer()->objectName(), QStringLiteral("doctorOffer"));
        QVERIFY(window.offer()->isVisible());
        QTest::mouseClick(child<QPushButton>(window.offer(), "offerAccept"), Qt::LeftButton);
        QTRY_VERIFY(window.doctorDialog());
        QVERIFY(child<QLabel>(window.doctorDialog(), "doctorReason")
                    ->text()
                    .contains(QLatin1String("device driver")));
        QTRY_VERIFY_WITH_TIMEOUT(window.doctorDialog()->doctor()->isFinished(), 60000);
        window.doctorDialog()->close();
    }

    // Runs last: it stops the engine and starts a fresh one in its place.
    void engineGoneThenBack()
    {
        MainWindow window(m_host);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        auto *state = child<QLabel>(&window, "engineState");
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("Connected"), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.imageList()->imageCount() >= 1, 15000);
        setText(&window, "imageEdit", QStringLiteral("gpudeck-test:latest"));
        setText(&window, "commandEdit", QStringLiteral("echo kept-line"));
        setText(&window, "networkCombo", QStringLiteral("none"));
        window.launch();
        LogPage *page = window.logView()->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
        QVERIFY2(page->textEdit()->toPlainText().contains(QLatin1String("kept-line")),
                 qPrintable(page->textEdit()->toPlainText()));

        QVERIFY(stopEngineProcess());
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("Disconnected"), 20000);
        QCOMPARE(window.engineWatch()->state(), EngineWatch::State::Disconnected);
        const QString status = child<QLabel>(&window, "engineStatus")->text();
        QVERIFY2(!status.contains(QLatin1Char('{')), qPrintable(status));
        QCOMPARE(window.logView()->count(), 1);
        QVERIFY(window.logView()->currentPage()->textEdit()->toPlainText().contains(
            QLatin1String("kept-line")));

        QVERIFY(startEngine());
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("Connected"), 20000);
        QVERIFY(!window.engineError().isError());
        QTRY_VERIFY_WITH_TIMEOUT(window.imageList()->imageCount() >= 1, 15000);
        QCOMPARE(window.logView()->count(), 1);

        // And it works again: a launch on the engine that came back.
        window.launch();
        QCOMPARE(window.logView()->count(), 2);
        LogPage *again = window.logView()->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(!again->isActive(), 60000);
        QVERIFY2(again->textEdit()->toPlainText().contains(QLatin1String("kept-line")),
                 qPrintable(again->textEdit()->toPlainText()));
    }
};

QTEST_MAIN(TestEngineStatus)
#include "tst_enginestatus.moc"
