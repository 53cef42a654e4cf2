#include "presets/PresetStore.h"

#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

// `gpudeck preset …` run as a user runs it, against a preset folder of its own.
class TestCliPreset : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run gpudeck(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_store.path());
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(GPUDECK_BINARY), QStringList{QStringLiteral("preset")} + args);
        if (!p.waitForFinished(30000))
            qFatal("gpudeck did not finish");
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }
    static void oneSentence(const Run &run)
    {
        QVERIFY2(run.err.startsWith("gpudeck: "), run.err.constData());
        QVERIFY2(run.err.endsWith(".\n"), run.err.constData());
    }

    QTemporaryDir m_store;
    QTemporaryDir m_files;
    QString m_source;

private slots:
    void initTestCase();
    void usage_data();
    void usage();
    void workflow();
    void brokenAndFuture();
};

void TestCliPreset::initTestCase()
{
    QVERIFY(m_store.isValid() && m_files.isValid());
    m_source = m_files.filePath(QStringLiteral("smi.json"));
    QFile f(m_source);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "gpudeck-preset", "version": 1, "name": "smi on gpu 0",
        "image": "nvidia/cuda:11.8.0-base-ubuntu20.04", "command": ["nvidia-smi"],
        "gpus": {"mode": "devices", "devices": ["0", "2"]}, "capabilities": ["gpu", "utility"],
        "runtime": "nvidia", "env": ["MSG=it's $HOME"], "autoRemove": true, "keep": "me"})");
}

void TestCliPreset::usage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no subcommand") << QStringList();
    QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("show without name") << QStringList{QStringLiteral("show")};
    QTest::newRow("show bad format")
        << QStringList{QStringLiteral("show"), QStringLiteral("x"), QStringLiteral("--format"),
                       QStringLiteral("yaml")};
    QTest::newRow("show unknown option")
        << QStringList{QStringLiteral("show"), QStringLiteral("x"), QStringLiteral("--bogus")};
    QTest::newRow("export one argument")
        << QStringList{QStringLiteral("export"), QStringLiteral("x")};
    QTest::newRow("rename three arguments")
        << QStringList{QStringLiteral("rename"), QStringLiteral("a"), QStringLiteral("b"),
                       QStringLiteral("c")};
    QTest::newRow("list with argument") << QStringList{QStringLiteral("list"), QStringLiteral("x")};
}

void TestCliPreset::usage()
{
    QFETCH(QStringList, args);
    const Run run = gpudeck(args);
    QCOMPARE(run.code, 2);
    QVERIFY2(run.err.startsWith("gpudeck: "), run.err.constData());
    QCOMPARE(run.out, QByteArray());
}

void TestCliPreset::workflow()
{
    Run run = gpudeck({QStringLiteral("list")});
    QCOMPARE(run.code, 0);
    QCOMPARE(run.out, QByteArray());

    run = gpudeck({QStringLiteral("import"), m_source});
    QCOMPARE(run.code, 0);
    run = gpudeck({QStringLiteral("import"), m_source});
    QCOMPARE(run.code, 1);
    oneSentence(run);
    QVERIFY(run.err.contains("already exists"));
    run = gpudeck(
        {QStringLiteral("import"), m_source, QStringLiteral("--name"), QStringLiteral("second")});
    QCOMPARE(run.code, 0);

    run = gpudeck({QStringLiteral("list")});
    QCOMPARE(run.code, 0);
    QCOMPARE(run.out, QByteArray("second\tnvidia/cuda:11.8.0-base-ubuntu20.04\tGPUs 0, 2\n"
                                 "smi on gpu 0\tnvidia/cuda:11.8.0-base-ubuntu20.04\tGPUs 0, 2\n"));

    run = gpudeck({QStringLiteral("show"), QStringLiteral("smi on gpu 0")});
    QCOMPARE(run.code, 0);
    const QJsonObject shown = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(shown.value(QStringLiteral("keep")).toString(), QStringLiteral("me"));
    QCOMPARE(shown.value(QStringLiteral("name")).toString(), QStringLiteral("smi on gpu 0"));

    run = gpudeck({QStringLiteral("show"), QStringLiteral("smi on gpu 0"),
                   QStringLiteral("--format"), QStringLiteral("docker-run")});
    QCOMPARE(run.code, 0);
    QCOMPARE(run.out,
             QByteArray(
                 "docker run --rm --runtime nvidia --gpus '\"device=0,2\",capabilities=utility' "
                 "-e 'MSG=it'\\''s $HOME' nvidia/cuda:11.8.0-base-ubuntu20.04 nvidia-smi\n"));
    run = gpudeck(
        {QStringLiteral("show"), QStringLiteral("--format=python"), QStringLiteral("second")});
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.contains("docker.types.DeviceRequest(device_ids=[\"0\", \"2\"], "
                             "capabilities=[[\"utility\", \"gpu\"]])"));
    // show also takes a file, as run --preset does.
    run = gpudeck({QStringLiteral("show"), m_source});
    QCOMPARE(run.code, 0);

    const QString exported = m_files.filePath(QStringLiteral("out.json"));
    run = gpudeck({QStringLiteral("export"), QStringLiteral("second"), exported});
    QCOMPARE(run.code, 0);
    QCOMPARE(PresetStore::loadFile(exported).value().name(), QStringLiteral("second"));

    run = gpudeck(
        {QStringLiteral("rename"), QStringLiteral("second"), QStringLiteral("smi on GPU 0")});
    QCOMPARE(run.code, 1);
    oneSentence(run);
    run = gpudeck({QStringLiteral("rename"), QStringLiteral("second"), QStringLiteral("third")});
    QCOMPARE(run.code, 0);
    run = gpudeck({QStringLiteral("show"), QStringLiteral("second")});
    QCOMPARE(run.code, 1);
    oneSentence(run);

    run = gpudeck({QStringLiteral("delete"), QStringLiteral("third")});
    QCOMPARE(run.code, 0);
    run = gpudeck({QStringLiteral("delete"), QStringLiteral("third")});
    QCOMPARE(run.code, 1);
    oneSentence(run);
    QCOMPARE(PresetStore(m_store.path()).list().size(), 1);
}

void TestCliPreset::brokenAndFuture()
{
    const QString broken = m_store.filePath(QStringLiteral("zz-broken.json"));
    QFile f(broken);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{ not json");
    f.close();
    Run run = gpudeck({QStringLiteral("list")});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains("zz-broken.json\tBROKEN\tCannot read the preset "),
             run.out.constData());
    QVERIFY(run.out.contains("not valid JSON"));
    run = gpudeck({QStringLiteral("delete"), QStringLiteral("zz-broken.json")});
    QCOMPARE(run.code, 1);
    oneSentence(run);
    QVERIFY(QFile::exists(broken));

    const QString future = m_files.filePath(QStringLiteral("future.json"));
    QFile g(future);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(R"({"format": "gpudeck-preset", "version": 2, "name": "f", "image": "busybox"})");
    g.close();
    run = gpudeck({QStringLiteral("import"), future});
    QCOMPARE(run.code, 1);
    oneSentence(run);
    QVERIFY(run.err.contains(
        "newer GPU Deck (format version 2); this version reads version 1. Update GPU Deck."));
}

QTEST_GUILESS_MAIN(TestCliPreset)
#include "tst_clipreset.moc"
