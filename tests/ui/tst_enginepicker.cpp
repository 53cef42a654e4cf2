// The window's engine picker against real engines: docker contexts for the sandboxed engine behind
// the test sshd (ssh://) and for the TLS engine (made by the real docker CLI, with its TLS material
// in the context store). Picking one connects, lists its images, and a launch runs there.
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "presets/PresetBar.h"
#include "presets/PresetStore.h"
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
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

class TestEnginePicker : public GuiTestBase
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static int pick(QComboBox *combo, const QString &context)
    {
        for (int i = 0; i < combo->count(); ++i) {
            if (combo->itemText(i).startsWith(QStringLiteral("context ") + context))
                return i;
        }
        return -1;
    }

    // A launch from the form, as a user makes it; returns the log's text.
    static QString launch(MainWindow *window)
    {
        auto *image = child<QLineEdit>(window, "imageEdit");
        image->clear();
        QTest::keyClicks(image, QStringLiteral("gpudeck-test:latest"));
        auto *command = child<QLineEdit>(window, "commandEdit");
        command->clear();
        QTest::keyClicks(command, QStringLiteral("sh -c \"nvidia-smi; hostname\""));
        auto *network = child<QComboBox>(window, "networkCombo");
        network->lineEdit()->clear();
        QTest::keyClicks(network->lineEdit(), QStringLiteral("none"));
        LogView *logs = child<LogView>(window, "logView");
        const int before = logs->count();
        QTest::mouseClick(child<QPushButton>(window, "launchButton"), Qt::LeftButton);
        if (logs->count() != before + 1)
            return {};
        LogPage *page = logs->currentPage();
        QElapsedTimer clock;
        clock.start();
        while (page->isActive() && clock.elapsed() < 60000)
            QTest::qWait(20);
        return page->findChild<QPlainTextEdit *>()->toPlainText();
    }

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_dir.isValid());
        const QString tls = qEnvironmentVariable("GPUDECK_TEST_TLS_DIR");
        QVERIFY2(!tls.isEmpty() && !qEnvironmentVariable("GPUDECK_TEST_SSH_DIR").isEmpty(),
                 "run through ctest: needs the TLS engine and the test sshd");
        useSettings(QStringLiteral("gpudeck-test-picker"),
                    m_dir.filePath(QStringLiteral("settings")));

        // The docker CLI's store: the TLS context as `docker context create` wrote it, and an ssh
        // context for the engine behind the sshd, written as the CLI writes one.
        const QString config = m_dir.filePath(QStringLiteral("docker"));
        QVERIFY(TestEngine::copyTree(tls + QStringLiteral("/docker-config"), config));
        const QString hash = QString::fromLatin1(
            QCryptographicHash::hash("gpudeck-ssh", QCryptographicHash::Sha256).toHex());
        QVERIFY(QDir().mkpath(config + QStringLiteral("/contexts/meta/") + hash));
        QFile meta(config + QStringLiteral("/contexts/meta/") + hash
                   + QStringLiteral("/meta.json"));
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write(
            QJsonDocument(
                QJsonObject{
                    {QStringLiteral("Name"), QStringLiteral("gpudeck-ssh")},
                    {QStringLiteral("Metadata"), QJsonObject()},
                    {QStringLiteral("Endpoints"),
                     QJsonObject{
                         {QStringLiteral("docker"),
                          QJsonObject{{QStringLiteral("Host"),
                                       QStringLiteral("ssh://gpudeck-test" GPUDECK_TEST_ENGINE_DIR
                                                      "/docker.sock")},
                                      {QStringLiteral("SkipTLSVerify"), false}}}}}})
                .toJson());
        meta.close();
        qputenv("DOCKER_CONFIG", config.toUtf8());
        for (const char *var :
             {"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"})
            qunsetenv(var);
    }

    void picksSshAndTlsContexts()
    {
        MainWindow window(QStringLiteral("unix://" GPUDECK_TEST_ENGINE_DIR "/docker.sock"));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *state = child<QLabel>(&window, "engineState");
        auto *status = child<QLabel>(&window, "engineStatus");
        auto *combo = child<QComboBox>(&window, "engineCombo");
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("Connected"), 20000);

        struct Case
        {
            QString context;
            QString url;
        };
        const Case cases[] = {
            {QStringLiteral("gpudeck-ssh"), QStringLiteral("ssh://gpudeck-test")},
            // tcp://127.0.0.1:PORT, TLS from the context
            {QStringLiteral("gpudeck-tls"), TestEngine::host()},
        };
        for (const Case &c : cases) {
            const int index = pick(combo, c.context);
            QVERIFY2(index >= 0, qPrintable(c.context));
            // With the keyboard, as a user picks it; the picker refills itself after each switch.
            combo->setFocus();
            for (int presses = 0; presses < 10 && pick(combo, c.context) != combo->currentIndex();
                 ++presses)
                QTest::keyClick(combo, combo->currentIndex() < pick(combo, c.context) ? Qt::Key_Down
                                                                                      : Qt::Key_Up);
            QCOMPARE(combo->currentIndex(), pick(combo, c.context));
            QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(c.url), qPrintable(status->text()),
                                      10000);
            // Connected, and the engine's own description arrived.
            QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral("(context ")
                                                              + c.context
                                                              + QStringLiteral(") — Docker")),
                                      qPrintable(status->text()), 30000);
            QCOMPARE(state->text(), QStringLiteral("Connected"));
            const QString log = launch(&window);
            QVERIFY2(log.contains(QStringLiteral("NVIDIA_VISIBLE_DEVICES=")), qPrintable(log));
        }
        // Both launches ran where the picker said: each engine has exactly the containers it ran.
        QCOMPARE(child<LogView>(&window, "logView")->count(), 2);
    }

    // A preset that names an engine the user has not used shows its host and asks once; once
    // trusted, loading the preset switches without asking.
    void presetEngineAskedOnce()
    {
        QTemporaryDir presets;
        qputenv("GPUDECK_PRESET_DIR", presets.path().toUtf8());
        const QString url = QStringLiteral("ssh://gpudeck-test" GPUDECK_TEST_ENGINE_DIR
                                           "/docker.sock");
        QFile file(presets.filePath(QStringLiteral("remote.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            QStringLiteral(
                R"({"format": "gpudeck-preset", "version": 1, "name": "remote", "image": "gpudeck-test:latest",
            "command": ["nvidia-smi"], "gpus": {"mode": "none"}, "engine": "%1"})")
                .arg(url)
                .toUtf8());
        file.close();
        const QString local = QStringLiteral("unix://" GPUDECK_TEST_ENGINE_DIR "/docker.sock");

        for (const bool trusted : {false, true}) {
            MainWindow window(local);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            auto *status = child<QLabel>(&window, "engineStatus");
            QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(local), 20000);
            auto *combo = child<QComboBox>(&window, "presetCombo");
            combo->setFocus();
            QTest::keyClick(combo, Qt::Key_Down);
            if (!trusted) {
                QTRY_VERIFY(window.offer() && window.offer()->isVisible());
                QCOMPARE(window.offer()->objectName(), QStringLiteral("engineOffer"));
                QVERIFY2(window.offer()->text().contains(QLatin1String("on the host gpudeck-test")),
                         qPrintable(window.offer()->text()));
                QVERIFY(status->text().contains(local)); // nothing happens before the answer
                QTest::mouseClick(child<QPushButton>(window.offer(), "offerAccept"),
                                  Qt::LeftButton);
            } else {
                QVERIFY(!window.offer());
            }
            QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(url)
                                          && status->text().contains(QLatin1String("Docker")),
                                      qPrintable(status->text()), 30000);
            if (trusted) {
                // Saved from here, a preset names the engine it was saved on.
                auto *bar = window.findChild<PresetBar *>();
                QVERIFY(bar);
                const Result<QString> saved = bar->saveAs(QStringLiteral("copy"));
                QVERIFY2(saved.ok(), qPrintable(saved.error().message()));
                const Result<Preset> copy = bar->store().resolve(QStringLiteral("copy"));
                QVERIFY(copy.ok());
                QCOMPARE(copy.value().engine(), url);
            }
        }
        qunsetenv("GPUDECK_PRESET_DIR");
    }
};

QTEST_MAIN(TestEnginePicker)
#include "tst_enginepicker.moc"
