#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "engine/ImagePull.h"
#include "images/ImageList.h"
#include "images/PullDialog.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <memory>

// Pulling from a real registry: Debian's docker-registry on loopback, seeded by `docker push`
// from the sandboxed dockerd (which trusts 127.0.0.0/8 registries over plain HTTP). The image's
// one layer is random bytes, so the engine has to download and extract it for real.
class TestImagePull : public GuiTestBase
{
    Q_OBJECT

private:
    static bool listed(MainWindow *window, const QString &image)
    {
        const QAbstractItemModel *model = child<QTreeView>(window, "imageView")->model();
        return !model->match(model->index(0, 0), Qt::DisplayRole, image, 1, Qt::MatchExactly)
                    .isEmpty();
    }

    static bool engineHas(const QString &image)
    {
        return TestEngine::docker({QStringLiteral("image"), QStringLiteral("inspect"), image})
                   .exitCode
               == 0;
    }

    static void setText(MainWindow *window, const char *name, const QString &text)
    {
        auto *combo = window->findChild<QComboBox *>(QLatin1String(name));
        QLineEdit *edit = combo ? combo->lineEdit() : child<QLineEdit>(window, name);
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }

    QTemporaryDir m_dir;
    QProcess m_registry;
    QString m_image; // 127.0.0.1:PORT/gpudeck-pull-test:PID
    static constexpr int kLayerBytes = 24 * 1024 * 1024;

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/docker-registry")),
                 "docker-registry is missing: packaging/install-deps.sh installs it");
        useSettings(QStringLiteral("gpudeck-test-pull"));
        qputenv("GPUDECK_PRESET_DIR", m_dir.filePath(QStringLiteral("presets")).toUtf8());
        qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");

        // A free loopback port for the registry.
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const QString config = m_dir.filePath(QStringLiteral("registry.yml"));
        {
            QFile file(config);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QStringLiteral("version: 0.1\n"
                                      "log:\n  level: error\n"
                                      "storage:\n  filesystem:\n    rootdirectory: %1\n"
                                      "http:\n  addr: 127.0.0.1:%2\n")
                           .arg(m_dir.filePath(QStringLiteral("registry")))
                           .arg(port)
                           .toUtf8());
        }
        m_registry.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_registry.start(QStringLiteral("/usr/bin/docker-registry"),
                         {QStringLiteral("serve"), config});
        QVERIFY2(m_registry.waitForStarted(10000), qPrintable(m_registry.errorString()));
        QVERIFY(QTest::qWaitFor(
            [port]() {
                QTcpSocket socket;
                socket.connectToHost(QHostAddress::LocalHost, port);
                return socket.waitForConnected(200);
            },
            20000));

        // An image of one layer of random bytes, pushed, then removed from the engine.
        m_image = QStringLiteral("127.0.0.1:%1/gpudeck-pull-test:%2")
                      .arg(port)
                      .arg(QCoreApplication::applicationPid());
        const QString rootfs = m_dir.filePath(QStringLiteral("rootfs"));
        QVERIFY(QDir().mkpath(rootfs));
        {
            QFile blob(rootfs + QStringLiteral("/random.bin"));
            QVERIFY(blob.open(QIODevice::WriteOnly));
            QByteArray bytes(kLayerBytes, Qt::Uninitialized);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                                  bytes.size() / 4);
            blob.write(bytes);
        }
        const QString tarball = m_dir.filePath(QStringLiteral("layer.tar"));
        QCOMPARE(QProcess::execute(QStringLiteral("tar"),
                                   {QStringLiteral("-C"), rootfs, QStringLiteral("-cf"), tarball,
                                    QStringLiteral(".")}),
                 0);
        TestEngine::CliResult step = TestEngine::docker(
            {QStringLiteral("import"), tarball, m_image});
        QVERIFY2(step.exitCode == 0, step.err.constData());
        step = TestEngine::docker({QStringLiteral("push"), m_image}, {}, 120000);
        QVERIFY2(step.exitCode == 0, step.err.constData());
        step = TestEngine::docker({QStringLiteral("rmi"), m_image});
        QVERIFY2(step.exitCode == 0, step.err.constData());
        QVERIFY(!engineHas(m_image));
    }

    void cleanupTestCase()
    {
        if (!m_image.isEmpty())
            TestEngine::docker({QStringLiteral("rmi"), QStringLiteral("-f"), m_image});
        if (m_registry.state() != QProcess::NotRunning) {
            m_registry.terminate();
            if (!m_registry.waitForFinished(5000))
                m_registry.kill();
        }
    }

    void init() { QSettings().clear(); }

    void splitsReferences_data()
    {
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("tag");
        QTest::newRow("name only") << "busybox"
                                   << "busybox"
                                   << "latest";
        QTest::newRow("tag") << "nvidia/cuda:12.4.1-base"
                             << "nvidia/cuda"
                             << "12.4.1-base";
        QTest::newRow("registry port, no tag") << "127.0.0.1:5000/x"
                                               << "127.0.0.1:5000/x"
                                               << "latest";
        QTest::newRow("registry port and tag") << "127.0.0.1:5000/x:t"
                                               << "127.0.0.1:5000/x"
                                               << "t";
        QTest::newRow("digest") << "x@sha256:abc"
                                << "x@sha256:abc"
                                << "";
    }

    void splitsReferences()
    {
        QFETCH(QString, reference);
        QFETCH(QString, image);
        QFETCH(QString, tag);
        const auto [gotImage, gotTag] = ImagePull::splitReference(reference);
        QCOMPARE(gotImage, image);
        QCOMPARE(gotTag, tag);
    }

    void cancelStopsThePull()
    {
        MainWindow window(TestEngine::host());
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        PullDialog *dialog = window.showPull(m_image);
        QVERIFY(dialog);
        QTest::mouseClick(child<QPushButton>(dialog, "pullButton"), Qt::LeftButton);
        ImagePull *pull = dialog->pull();
        QVERIFY(pull);
        QSignalSpy finished(pull, &ImagePull::finished);
        // Cancel as soon as the engine reports the first layer's progress.
        connect(pull, &ImagePull::progress, dialog, [dialog](qint64, qint64 total) {
            if (total > 0 && dialog->pull() && !dialog->pull()->isFinished())
                QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pullCancel")),
                                  Qt::LeftButton);
        });
        QVERIFY(finished.wait(60000));
        const Error error = finished.first().first().value<Error>();
        QCOMPARE(error.code(), Error::Code::Cancelled);
        QVERIFY(child<QLabel>(dialog, "pullStatus")->text().contains(QLatin1String("cancelled")));
        QVERIFY(dialog->isVisible()); // Cancel stopped the pull; it did not close the dialog
        QVERIFY(!engineHas(m_image));
    }

    void missingImageOffersAPullWithProgress()
    {
        MainWindow window(TestEngine::host());
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 15000);
        QVERIFY(!listed(&window, m_image));
        setText(&window, "imageEdit", m_image);
        setText(&window, "commandEdit", QStringLiteral("true"));
        setText(&window, "networkCombo", QStringLiteral("none"));
        window.launch();
        LogPage *page = window.logView()->currentPage();
        QVERIFY(page);
        QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 30000);
        QCOMPARE(page->launcher()->state(), Launcher::State::Failed);

        // The window offers the pull; accepting starts it at once.
        QTRY_VERIFY(window.offer());
        QCOMPARE(window.offer()->objectName(), QStringLiteral("pullOffer"));
        QVERIFY(window.offer()->text().contains(m_image));
        QTest::mouseClick(child<QPushButton>(window.offer(), "offerAccept"), Qt::LeftButton);
        QTRY_VERIFY(window.pullDialog() && window.pullDialog()->pull());
        PullDialog *dialog = window.pullDialog();
        ImagePull *pull = dialog->pull();
        auto *bar = child<QProgressBar>(dialog, "pullProgress");

        QSignalSpy progress(pull, &ImagePull::progress);
        QSignalSpy finished(pull, &ImagePull::finished);
        qint64 midway = -1; // a figure seen while the layer was under way, with the bar at it
        int barMidway = -1;
        connect(pull, &ImagePull::progress, dialog, [&](qint64 received, qint64 total) {
            if (total > 0 && received > 0 && received < total && midway < 0) {
                midway = received;
                barMidway = bar->value();
            }
        });
        QVERIFY(finished.wait(90000));
        const Error error = finished.first().first().value<Error>();
        QVERIFY2(!error.isError(), qPrintable(error.message()));

        QVERIFY(progress.size() >= 3);
        const qint64 total = progress.last().at(1).toLongLong();
        QCOMPARE(progress.last().at(0).toLongLong(), total);
        // Downloaded and extracted, each counted once: twice the (compressed) layer's size.
        QVERIFY2(total >= 2 * qint64(kLayerBytes) * 9 / 10, qPrintable(QString::number(total)));
        QVERIFY2(midway > 0, "no progress figure between the start and the end of the pull");
        QVERIFY(barMidway > 0 && barMidway < 1000);
        QCOMPARE(bar->value(), 1000);
        QCOMPARE(pull->layerCount(), 1);
        QCOMPARE(pull->layersDone(), 1);
        QVERIFY(child<QLabel>(dialog, "pullStatus")->text().contains(QLatin1String("Pulled")));

        QVERIFY(engineHas(m_image));
        QTRY_VERIFY_WITH_TIMEOUT(listed(&window, m_image), 15000);
        QCOMPARE(window.currentSpec().image, m_image);
    }
};

QTEST_MAIN(TestImagePull)
#include "tst_imagepull.moc"
