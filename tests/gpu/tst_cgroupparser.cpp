#include "gpu/CgroupParser.h"

#include <QFile>
#include <QTest>

// Every cgroup form names its container: the real captures and the documented forms in
// tests/fixtures/cgroup/cgroups.txt, then edge cases.
class TestCgroupParser : public QObject
{
    Q_OBJECT
private slots:
    void fixtures_data();
    void fixtures();
    void edges_data();
    void edges();
};

void TestCgroupParser::fixtures_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("engine");

    QFile f(QStringLiteral(GPUDECK_FIXTURES_DIR "/cgroup/cgroups.txt"));
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    QByteArray name, text;
    QString id, engine;
    int blocks = 0, captured = 0;
    auto flush = [&]() {
        if (name.isEmpty())
            return;
        QTest::newRow(name.constData()) << text << id << engine;
        ++blocks;
        captured += name.startsWith("captured") ? 1 : 0;
    };
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("#") || line.trimmed().isEmpty())
            continue;
        if (line.startsWith("== ")) {
            flush();
            const QList<QByteArray> head = line.mid(3).split('|');
            QVERIFY2(head.size() == 3, line.constData());
            name = head.at(0).trimmed();
            id = QString::fromLatin1(head.at(1).trimmed());
            engine = QString::fromLatin1(head.at(2).trimmed());
            if (id == QLatin1String("-"))
                id.clear();
            if (engine == QLatin1String("-"))
                engine.clear();
            text.clear();
            continue;
        }
        text += line + '\n';
    }
    flush();
    QVERIFY2(blocks >= 15, "the fixture file lost blocks");
    QVERIFY2(captured >= 4, "the fixture file lost its real captures");
}

void TestCgroupParser::fixtures()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, id);
    QFETCH(QString, engine);
    QVERIFY(!text.isEmpty());
    const CgroupParser::Container c = CgroupParser::containerOf(text);
    QCOMPARE(c.id, id);
    QCOMPARE(c.engine, engine);
    QCOMPARE(c.isValid(), !id.isEmpty());
}

void TestCgroupParser::edges_data()
{
    const QByteArray id = QByteArray(64, 'a');
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("engine");
    QTest::newRow("empty") << QByteArray() << QString() << QString();
    QTest::newRow("unified root only") << QByteArray("0::/\n") << QString() << QString();
    QTest::newRow("no trailing newline")
        << QByteArray("0::/docker/" + id) << QString::fromLatin1(id) << QStringLiteral("docker");
    QTest::newRow("63 digits") << QByteArray("0::/docker/" + id.left(63)) << QString() << QString();
    QTest::newRow("65 digits") << QByteArray("0::/docker/" + id + "a") << QString() << QString();
    QTest::newRow("upper case is not an ID")
        << QByteArray("0::/docker/" + id.toUpper()) << QString() << QString();
    QTest::newRow("not hex") << QByteArray("0::/docker/" + id.left(63) + "g") << QString()
                             << QString();
    QTest::newRow("garbage lines") << QByteArray("garbage\n:\n::\n0::/docker/" + id + "\n")
                                   << QString::fromLatin1(id) << QStringLiteral("docker");
    QTest::newRow("colon in path") << QByteArray("0::/a:b/docker-" + id + ".scope\n")
                                   << QString::fromLatin1(id) << QStringLiteral("docker");
    QTest::newRow("v2 wins over v1")
        << QByteArray("4:memory:/docker/" + QByteArray(64, 'b') + "\n0::/docker/" + id + "\n")
        << QString::fromLatin1(id) << QStringLiteral("docker");
    QTest::newRow("bare ID under an unknown parent")
        << QByteArray("0::/custom/" + id) << QString::fromLatin1(id) << QString();
    QTest::newRow("scope that is no container")
        << QByteArray("0::/system.slice/docker.service") << QString() << QString();
}

void TestCgroupParser::edges()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, id);
    QFETCH(QString, engine);
    const CgroupParser::Container c = CgroupParser::containerOf(text);
    QCOMPARE(c.id, id);
    QCOMPARE(c.engine, engine);
}

QTEST_GUILESS_MAIN(TestCgroupParser)
#include "tst_cgroupparser.moc"
