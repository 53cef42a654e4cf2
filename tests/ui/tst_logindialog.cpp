#include "NamedChild.h"
#include "TestEngine.h"
#include "TestRegistry.h"
#include "engine/ImagePull.h"
#include "images/LoginDialog.h"
#include "images/PullDialog.h"
#include "window/MainWindow.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// The window's pull from a registry that wants a login (docker-registry behind htpasswd and TLS):
// it fails with the login sentence, offers the login dialog, which the engine checks, and the pull
// then runs again with the stored login.
class TestLoginDialog : public QObject
{
    Q_OBJECT

private:
    static constexpr char kUser[] = "gpudeck-bob";
    static constexpr char kPassword[] = "Pw-window-5e1d";

    QTemporaryDir m_dir;
    QTemporaryDir m_settings;
    TestRegistry m_registry;
    QString m_image;
    QString m_config;

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-test"));
        QCoreApplication::setApplicationName(QStringLiteral("gpudeck-test-login"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
        qputenv("GPUDECK_PRESET_DIR", m_dir.filePath(QStringLiteral("presets")).toUtf8());
        qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
        const QString failure = m_registry.start(m_dir.filePath(QStringLiteral("registry")),
                                                 QLatin1String(kUser), QLatin1String(kPassword));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QString repository =
            QStringLiteral("private/window:%1").arg(QCoreApplication::applicationPid());
        const QString seeded = m_registry.seed(repository);
        QVERIFY2(seeded.isEmpty(), qPrintable(seeded));
        m_image = m_registry.address() + QLatin1Char('/') + repository;
        m_config = m_dir.filePath(QStringLiteral("docker-config"));
        QVERIFY(QDir().mkpath(m_config));
        qputenv("DOCKER_CONFIG", m_config.toUtf8());
    }

    void cleanupTestCase()
    {
        if (!m_image.isEmpty())
            TestEngine::docker({QStringLiteral("rmi"), QStringLiteral("-f"), m_image});
        m_registry.stop();
    }

    void failedPullOffersTheLoginThenPulls()
    {
        MainWindow window(TestEngine::host());
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        PullDialog *dialog = window.showPull(m_image);
        QVERIFY(dialog);
        QTest::mouseClick(child<QPushButton>(dialog, "pullButton"), Qt::LeftButton);
        QVERIFY(dialog->pull());
        QSignalSpy failed(dialog->pull(), &ImagePull::finished);
        QVERIFY(failed.wait(60000));
        auto *status = child<QLabel>(dialog, "pullStatus");
        QTRY_VERIFY2(status->text().contains(QLatin1String("needs a login and none was found")),
                     qPrintable(status->text()));
        QVERIFY(status->text().contains(m_registry.address()));
        auto *offer = child<QPushButton>(dialog, "pullLogin");
        QVERIFY(offer->isDefault());

        QTest::mouseClick(offer, Qt::LeftButton);
        auto *login = dialog->findChild<LoginDialog *>(QStringLiteral("loginDialog"));
        QVERIFY(login);
        QTRY_VERIFY(login->isVisible());
        QVERIFY(!login->isModal());
        QCOMPARE(child<QLineEdit>(login, "loginRegistry")->text(), m_registry.address());
        QTest::keyClicks(child<QLineEdit>(login, "loginUser"), QLatin1String(kUser));
        QTest::keyClicks(child<QLineEdit>(login, "loginPassword"), QStringLiteral("wrong"));
        QTest::mouseClick(child<QPushButton>(login, "loginButton"), Qt::LeftButton);
        auto *loginStatus = child<QLabel>(login, "loginStatus");
        // The check runs on the event loop: these polls get their turns while it runs.
        QTRY_VERIFY_WITH_TIMEOUT(loginStatus->text().contains(
                                     QLatin1String("refused the user name or password")),
                                 30000);
        QVERIFY(login->isVisible());
        QVERIFY(!QFile::exists(m_config + QStringLiteral("/config.json")));

        QSignalSpy loggedIn(login, &LoginDialog::loggedIn);
        QLineEdit *password = child<QLineEdit>(login, "loginPassword");
        password->clear();
        QTest::keyClicks(password, QLatin1String(kPassword));
        QTest::mouseClick(child<QPushButton>(login, "loginButton"), Qt::LeftButton);
        QVERIFY(loggedIn.wait(30000));
        // Stored in config.json's auths: the dialog says so plainly.
        QVERIFY2(loginStatus->text().contains(QLatin1String("stored unencrypted")),
                 qPrintable(loginStatus->text()));
        QFile config(m_config + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QVERIFY(config.readAll().contains(m_registry.address().toUtf8()));

        // The pull runs again by itself, now with the login.
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QLatin1String("Pulled")),
                                  qPrintable(status->text()), 60000);
        QVERIFY(TestEngine::docker({QStringLiteral("image"), QStringLiteral("inspect"), m_image})
                    .exitCode
                == 0);
    }

    void ngcHintForNvcr()
    {
        LoginDialog dialog(nullptr, QStringLiteral("nvcr.io"));
        dialog.show();
        auto *hint = child<QLabel>(&dialog, "loginHint");
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().contains(QLatin1String("$oauthtoken")));
        QVERIFY(hint->text().contains(QLatin1String("NGC API key")));
        child<QLineEdit>(&dialog, "loginRegistry")->setText(QStringLiteral("registry.example"));
        QVERIFY(!hint->isVisible());
    }
};

QTEST_MAIN(TestLoginDialog)
#include "tst_logindialog.moc"
