// The rules of the newest engines and NVIDIA stack without an engine: which CDI spec versions an
// engine reads (0.7.0 needs Docker 26.1 or Podman 5.1), Docker 29.2's --gpus through CDI and its
// errors, rootless Docker 29.2's $XDG_CONFIG_HOME/cdi.
#include "engine/CdiSpecVersions.h"
#include "engine/CdiSpecs.h"
#include "engine/EngineError.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(Error::Code)

namespace {

EngineInfo engine(EngineKind kind, const QString &version)
{
    EngineInfo info;
    info.kind = kind;
    info.serverVersion = version;
    return info;
}

bool write(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

const QByteArray kSpec07Yaml = "cdiVersion: \"0.7.0\"\nkind: nvidia.com/gpu\ndevices:\n"
                               "- name: \"0\"\n  containerEdits:\n    deviceNodes:\n"
                               "    - path: /dev/nvidia0\n";
const QByteArray kSpec05Json =
    R"({"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu", "devices": [{"name": "1",)"
    R"( "containerEdits": {"deviceNodes": [{"path": "/dev/nvidia1"}]}}]})";

} // namespace

class TestNewestEngines : public QObject
{
    Q_OBJECT

private slots:
    void readsVersion();
    void newestReadable_data();
    void newestReadable();
    void specVersionReport_data();
    void specVersionReport();
    void gpusThroughCdi();
    void rootlessUserSpecDir();
    void classify_data();
    void classify();
};

void TestNewestEngines::readsVersion()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(write(dir.filePath(QStringLiteral("a.yaml")), kSpec07Yaml));
    QVERIFY(write(dir.filePath(QStringLiteral("b.json")), kSpec05Json));
    QVERIFY(write(dir.filePath(QStringLiteral("c.json")), "{\"kind\": \"nvidia.com/gpu\"}"));
    QCOMPARE(CdiSpecVersions::readVersion(dir.filePath(QStringLiteral("a.yaml"))),
             QStringLiteral("0.7.0"));
    QCOMPARE(CdiSpecVersions::readVersion(dir.filePath(QStringLiteral("b.json"))),
             QStringLiteral("0.5.0"));
    QString error;
    QCOMPARE(CdiSpecVersions::readVersion(dir.filePath(QStringLiteral("c.json")), &error),
             QString());
    QVERIFY(error.contains(QLatin1String("cdiVersion")));
    error.clear();
    QCOMPARE(CdiSpecVersions::readVersion(dir.filePath(QStringLiteral("missing.json")), &error),
             QString());
    QVERIFY(!error.isEmpty());
}

void TestNewestEngines::newestReadable_data()
{
    QTest::addColumn<EngineInfo>("info");
    QTest::addColumn<QString>("newest");
    QTest::newRow("Docker 20.10") << engine(EngineKind::Docker, QStringLiteral("20.10.24+dfsg1"))
                                  << QStringLiteral("0.6.0");
    QTest::newRow("Docker 26.0") << engine(EngineKind::Docker, QStringLiteral("26.0.2"))
                                 << QStringLiteral("0.6.0");
    QTest::newRow("Docker 26.1") << engine(EngineKind::Docker, QStringLiteral("26.1.5+dfsg1"))
                                 << QString();
    QTest::newRow("Docker 28.5") << engine(EngineKind::Docker, QStringLiteral("28.5.2+dfsg4"))
                                 << QString();
    QTest::newRow("Podman 4.3") << engine(EngineKind::Podman, QStringLiteral("4.3.1"))
                                << QStringLiteral("0.5.0");
    QTest::newRow("Podman 4.6") << engine(EngineKind::Podman, QStringLiteral("4.6.0"))
                                << QStringLiteral("0.6.0");
    QTest::newRow("Podman 4.9") << engine(EngineKind::Podman, QStringLiteral("4.9.3"))
                                << QStringLiteral("0.6.0");
    QTest::newRow("Podman 5.1") << engine(EngineKind::Podman, QStringLiteral("5.1.0")) << QString();
    QTest::newRow("Podman 5.8") << engine(EngineKind::Podman, QStringLiteral("5.8.0")) << QString();
    QTest::newRow("unknown version") << engine(EngineKind::Docker, QString()) << QString();
}

void TestNewestEngines::newestReadable()
{
    QFETCH(EngineInfo, info);
    QFETCH(QString, newest);
    QCOMPARE(CdiSpecVersions::newestReadable(info), newest);
}

void TestNewestEngines::specVersionReport_data()
{
    QTest::addColumn<EngineInfo>("info");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("upgrade");
    QTest::newRow("Podman 4.9 cannot read 0.7.0")
        << engine(EngineKind::Podman, QStringLiteral("4.9.3")) << false
        << QStringLiteral("Podman 5.1");
    QTest::newRow("Docker 26.0 cannot read 0.7.0")
        << engine(EngineKind::Docker, QStringLiteral("26.0.2")) << false
        << QStringLiteral("Docker 26.1");
    QTest::newRow("Docker 28.5 reads it")
        << engine(EngineKind::Docker, QStringLiteral("28.5.2")) << true << QString();
    QTest::newRow("Podman 5.8 reads it")
        << engine(EngineKind::Podman, QStringLiteral("5.8.0")) << true << QString();
}

void TestNewestEngines::specVersionReport()
{
    QFETCH(EngineInfo, info);
    QFETCH(bool, ok);
    QFETCH(QString, upgrade);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString newFile = dir.filePath(QStringLiteral("nvidia.yaml"));
    const QString oldFile = dir.filePath(QStringLiteral("old.json"));
    QVERIFY(write(newFile, kSpec07Yaml));
    QVERIFY(write(oldFile, kSpec05Json));
    const CdiSpecVersions::Report report = CdiSpecVersions::check({newFile, oldFile}, info);
    QCOMPARE(report.ok(), ok);
    if (ok) {
        QVERIFY(report.detail.isEmpty());
        return;
    }
    // Only the file the engine cannot read, named with its version and the engine's.
    QCOMPARE(report.unreadable, QStringList{newFile + QStringLiteral(" (cdiVersion 0.7.0)")});
    QVERIFY2(report.detail.contains(info.productName()), qPrintable(report.detail));
    QVERIFY2(report.detail.contains(QLatin1String("up to version 0.6.0")),
             qPrintable(report.detail));
    QVERIFY2(report.fix.contains(upgrade), qPrintable(report.fix));
    QCOMPARE(report.command,
             QStringLiteral("sudo nvidia-ctk cdi generate --feature-flag "
                            "no-additional-gids-for-device-nodes --output=/etc/cdi/nvidia.yaml"));
}

void TestNewestEngines::gpusThroughCdi()
{
    QVERIFY(!CdiSpecVersions::gpusThroughCdi(engine(EngineKind::Docker, QStringLiteral("28.5.2"))));
    QVERIFY(!CdiSpecVersions::gpusThroughCdi(engine(EngineKind::Docker, QStringLiteral("29.1.0"))));
    QVERIFY(CdiSpecVersions::gpusThroughCdi(engine(EngineKind::Docker, QStringLiteral("29.2.0"))));
    QVERIFY(CdiSpecVersions::gpusThroughCdi(engine(EngineKind::Docker, QStringLiteral("30.0.1"))));
    // Podman's numbers are its own.
    QVERIFY(!CdiSpecVersions::gpusThroughCdi(engine(EngineKind::Podman, QStringLiteral("30.0"))));
}

void TestNewestEngines::rootlessUserSpecDir()
{
    QTemporaryDir config;
    QVERIFY(config.isValid());
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QVERIFY(QDir(config.path()).mkpath(QStringLiteral("cdi")));
    QVERIFY(write(config.filePath(QStringLiteral("cdi/nvidia.yaml")), kSpec07Yaml));
    const QString userDir = config.filePath(QStringLiteral("cdi"));

    // The engine's own spec directories: empty ones of the test's, not this machine's /etc/cdi
    // and /var/run/cdi, where the Podman fixtures keep specs while the suite runs.
    QTemporaryDir system;
    QVERIFY(system.isValid());
    const QString etcCdi = system.filePath(QStringLiteral("etc-cdi"));
    const QString runCdi = system.filePath(QStringLiteral("run-cdi"));
    QVERIFY(QDir().mkpath(etcCdi) && QDir().mkpath(runCdi));
    EngineInfo rootless = engine(EngineKind::Docker, QStringLiteral("29.2.0"));
    rootless.cdiSpecDirs = {etcCdi, runCdi};
    rootless.raw.insert(QStringLiteral("SecurityOptions"),
                        QJsonArray{QStringLiteral("name=seccomp,profile=builtin"),
                                   QStringLiteral("name=rootless"),
                                   QStringLiteral("name=cgroupns")});
    QCOMPARE(CdiSpecVersions::specDirsFor(rootless), QStringList({etcCdi, runCdi, userDir}));
    // The devices of the user's own spec are what GPU Deck lists for a local rootless engine.
    QCOMPARE(CdiInventory::forEngine(rootless, true).names(),
             QStringList{QStringLiteral("nvidia.com/gpu=0")});
    QCOMPARE(CdiInventory::forEngine(rootless, false).names(), QStringList());

    // Listed already: not twice.
    EngineInfo listed = rootless;
    listed.cdiSpecDirs << userDir;
    QCOMPARE(CdiSpecVersions::specDirsFor(listed).count(userDir), 1);
    // Rootful 29.2, rootless 28.5 (which does not read it) and CDI off: the engine's list.
    EngineInfo rootful = rootless;
    rootful.raw.remove(QStringLiteral("SecurityOptions"));
    QCOMPARE(CdiSpecVersions::specDirsFor(rootful), rootful.cdiSpecDirs);
    EngineInfo older = rootless;
    older.serverVersion = QStringLiteral("28.5.2");
    QCOMPARE(CdiSpecVersions::specDirsFor(older), older.cdiSpecDirs);
    EngineInfo off = rootless;
    off.cdiSpecDirs.clear();
    QCOMPARE(CdiSpecVersions::specDirsFor(off), QStringList());
    qunsetenv("XDG_CONFIG_HOME");
}

void TestNewestEngines::classify_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("status");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<QString>("inHint");
    QTest::newRow("Docker 29.2: no known GPU vendor")
        << QStringLiteral("failed to discover GPU vendor from CDI: no known GPU vendor found")
        << 500 << Error::Code::DeviceDriver << QStringLiteral("nvidia-ctk cdi generate");
    QTest::newRow("Docker 29.2: no CDI spec for the vendor")
        << QStringLiteral("no CDI devices found for vendor nvidia.com") << 500
        << Error::Code::DeviceDriver << QStringLiteral("nvidia-container-runtime-hook");
    QTest::newRow("Docker 29: client too old")
        << QStringLiteral("client version 1.41 is too old. Minimum supported API version is "
                          "1.44, please upgrade your client to a newer version")
        << 400 << Error::Code::Unsupported << QStringLiteral("Update GPU Deck");
    QTest::newRow("older engine: client too new")
        << QStringLiteral("client version 1.52 is too new. Maximum supported API version is 1.41")
        << 400 << Error::Code::EngineTooOld << QStringLiteral("Update the Docker engine");
    QTest::newRow("legacy hook missing is still the toolkit")
        << QStringLiteral("could not select device driver \"\" with capabilities: [[gpu]]") << 500
        << Error::Code::DeviceDriver << QStringLiteral("nvidia-ctk runtime configure");
}

void TestNewestEngines::classify()
{
    QFETCH(QString, message);
    QFETCH(int, status);
    QFETCH(Error::Code, code);
    QFETCH(QString, inHint);
    const Error error = EngineError::classify(QStringLiteral("Could not start"), message, status);
    QCOMPARE(error.code(), code);
    QCOMPARE(error.httpStatus(), status);
    QVERIFY2(error.hint().contains(inHint), qPrintable(error.message()));
}

QTEST_GUILESS_MAIN(TestNewestEngines)
#include "tst_newestengines.moc"
