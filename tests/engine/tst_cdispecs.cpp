// CDI spec files as the engines read them: JSON and YAML, devices qualified by the spec's kind,
// a device defined in two files unusable, the engine's DiscoveredDevices.
#include "engine/CdiSpecs.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestCdiSpecs : public QObject
{
    Q_OBJECT

private slots:
    void readsJsonAndYaml();
    void deviceInTwoFilesIsAProblem();
    void brokenFileIsAProblem();
    void discoveredDevices();
    void podmanAlwaysHasCdi();

private:
    static void write(const QString &path, const QByteArray &text)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
    }
};

void TestCdiSpecs::readsJsonAndYaml()
{
    QTemporaryDir dir;
    write(
        dir.filePath(QStringLiteral("a.json")),
        R"({"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu", "devices": [{"name": "0"}, {"name": "all"}]})");
    write(dir.filePath(QStringLiteral("b.yaml")),
          "cdiVersion: \"0.5.0\"\nkind: nvidia.com/gpu\ndevices:\n  - name: \"1\"\n    "
          "containerEdits: {}\n"
          "  - name: GPU-6bd9\n  - name: \"0:1\"\n");
    write(dir.filePath(QStringLiteral("notes.txt")), "not a spec");
    const CdiInventory inventory = CdiInventory::fromSpecDirs(
        {dir.path(), dir.filePath(QStringLiteral("missing"))});
    QCOMPARE(inventory.names(),
             (QStringList{QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=all"),
                          QStringLiteral("nvidia.com/gpu=1"),
                          QStringLiteral("nvidia.com/gpu=GPU-6bd9"),
                          QStringLiteral("nvidia.com/gpu=0:1")}));
    QCOMPARE(inventory.devices.first().source, dir.filePath(QStringLiteral("a.json")));
    QCOMPARE(inventory.devices.at(2).source, dir.filePath(QStringLiteral("b.yaml")));
    QCOMPARE(inventory.files.size(), 2);
    QVERIFY(inventory.problems.isEmpty());
    QCOMPARE(inventory.toJson().first().toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("nvidia.com/gpu=0"));
}

void TestCdiSpecs::deviceInTwoFilesIsAProblem()
{
    QTemporaryDir dir;
    write(dir.filePath(QStringLiteral("a.json")),
          R"({"kind": "nvidia.com/gpu", "devices": [{"name": "0"}, {"name": "1"}]})");
    write(dir.filePath(QStringLiteral("b.yml")),
          "kind: nvidia.com/gpu\ndevices:\n  - name: \"0\"\n");
    const CdiInventory inventory = CdiInventory::fromSpecDirs({dir.path()});
    QCOMPARE(inventory.names(), QStringList{QStringLiteral("nvidia.com/gpu=1")});
    QCOMPARE(inventory.problems.size(), 1);
    QVERIFY(inventory.problems.first().contains(QLatin1String("nvidia.com/gpu=0 is defined in")));
}

void TestCdiSpecs::brokenFileIsAProblem()
{
    QTemporaryDir dir;
    write(dir.filePath(QStringLiteral("a.yaml")), "kind: [unclosed\n");
    write(dir.filePath(QStringLiteral("b.json")),
          R"({"kind": "nokind", "devices": [{"name": "0"}]})");
    const CdiInventory inventory = CdiInventory::fromSpecDirs({dir.path()});
    QVERIFY(inventory.devices.isEmpty());
    QCOMPARE(inventory.problems.size(), 2);
    QVERIFY(inventory.problems.at(1).contains(QLatin1String("vendor/class")));
}

void TestCdiSpecs::discoveredDevices()
{
    EngineInfo info;
    info.cdiSpecDirs = {QStringLiteral("/nonexistent/cdi")};
    info.discoveredDevices =
        QJsonArray{QJsonObject{{QStringLiteral("Source"), QStringLiteral("cdi")},
                               {QStringLiteral("ID"), QStringLiteral("nvidia.com/gpu=0")}},
                   QJsonObject{{QStringLiteral("Source"), QStringLiteral("other")},
                               {QStringLiteral("ID"), QStringLiteral("x")}}};
    const CdiInventory remote = CdiInventory::forEngine(info, false);
    QCOMPARE(remote.devices,
             (QList<CdiDevice>{{QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("engine")}}));
    info.cdiSpecDirs.clear(); // CDI off: nothing, whatever is listed
    QVERIFY(CdiInventory::forEngine(info, true).devices.isEmpty());
}

void TestCdiSpecs::podmanAlwaysHasCdi()
{
    EngineInfo info;
    info.kind = EngineKind::Podman;
    info.serverVersion = QStringLiteral("4.3.1");
    QVERIFY(info.cdiEnabled());
    QCOMPARE(info.productName(), QStringLiteral("Podman 4.3.1"));
    QVERIFY(isPodmanVersion(QJsonObject{
        {QStringLiteral("Components"),
         QJsonArray{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Podman Engine")}}}}}));
    QVERIFY(!isPodmanVersion(QJsonObject{
        {QStringLiteral("Components"),
         QJsonArray{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Engine")}}}}}));
    QVERIFY(compareDottedVersions(QStringLiteral("4.3.1"), QStringLiteral("5.4")) < 0);
    QVERIFY(compareDottedVersions(QStringLiteral("5.4.0"), QStringLiteral("5.4")) == 0);
    QVERIFY(compareDottedVersions(QStringLiteral("26.1.5+dfsg1"), QStringLiteral("26.1")) > 0);
}

QTEST_GUILESS_MAIN(TestCdiSpecs)
#include "tst_cdispecs.moc"
