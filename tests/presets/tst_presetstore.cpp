#include "presets/PresetStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

class TestPresetStore : public QObject
{
    Q_OBJECT

private:
    static Preset sample(const QString &name)
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:11.8.0-base-ubuntu20.04");
        spec.command = {QStringLiteral("nvidia-smi")};
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("GPU-6bd9")});
        spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
        return Preset(name, spec);
    }
    static QByteArray read(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void write(const QString &path, const QByteArray &bytes)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }

private slots:
    void designExample();
    void roundTrip_data();
    void roundTrip();
    void unknownFieldsKept();
    void broken_data();
    void broken();
    void futureVersion();
    void saveAndNames();
    void atomicSave();
    void renameAndDelete();
    void importExport();
    void directoryFromEnvironment();
};

void TestPresetStore::designExample()
{
    const QByteArray text = R"({
      "format": "gpudeck-preset", "version": 1,
      "name": "smi on gpu 0",
      "image": "nvidia/cuda:11.8.0-base-ubuntu20.04",
      "command": ["nvidia-smi"],
      "gpus": {"mode": "devices", "devices": ["0", "GPU-6bd9"]},
      "capabilities": ["gpu", "compute", "utility"],
      "deviceDriver": "", "runtime": "nvidia", "env": ["KEY=value"], "autoRemove": true, "tty": false,
      "containerName": "", "shmSize": "", "ipcMode": "", "binds": [],
      "networkMode": "lab", "ports": ["127.0.0.1:8888:8888"]
    })";
    const auto preset = Preset::fromJson(text);
    QVERIFY2(preset.ok(), qPrintable(preset.error().message()));
    QCOMPARE(preset.value().name(), QStringLiteral("smi on gpu 0"));
    const LaunchSpec &spec = preset.value().spec();
    QCOMPARE(spec.gpus, GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("GPU-6bd9")}));
    QCOMPARE(spec.capabilities,
             (QStringList{QStringLiteral("compute"), QStringLiteral("utility")}));
    QCOMPARE(spec.runtime, QStringLiteral("nvidia"));
    QCOMPARE(spec.env, QStringList{QStringLiteral("KEY=value")});
    QCOMPARE(spec.ports, QStringList{QStringLiteral("127.0.0.1:8888:8888")});
    QVERIFY(preset.value().extras().isEmpty());
    // Written back: the same object, the documented key order.
    const QByteArray bytes = preset.value().toFileBytes();
    QCOMPARE(QJsonDocument::fromJson(bytes).object(), QJsonDocument::fromJson(text).object());
    QVERIFY(bytes.startsWith(
        "{\n    \"format\": \"gpudeck-preset\",\n    \"version\": 1,\n    \"name\""));
}

void TestPresetStore::roundTrip_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("none") << int(GpuSelection::Mode::None);
    QTest::newRow("all") << int(GpuSelection::Mode::All);
    QTest::newRow("count") << int(GpuSelection::Mode::Count);
    QTest::newRow("devices") << int(GpuSelection::Mode::Devices);
    QTest::newRow("free") << int(GpuSelection::Mode::Free);
}

void TestPresetStore::roundTrip()
{
    QFETCH(int, mode);
    QTemporaryDir dir;
    PresetStore store(dir.path());
    Preset preset = sample(QStringLiteral("Round \"trip\" \u00e9"));
    LaunchSpec &spec = preset.spec();
    spec.gpus.mode = GpuSelection::Mode(mode);
    spec.gpus.count = 3;
    spec.deviceDriver = QStringLiteral("nvidia");
    spec.runtime = QStringLiteral("nvidia");
    spec.env = {QStringLiteral("A=it's \"x\"\n")};
    spec.autoRemove = false;
    spec.tty = true;
    spec.containerName = QStringLiteral("smi");
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.binds = {QStringLiteral("/a:/b:ro")};
    spec.networkMode = QStringLiteral("lab");
    spec.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("[::1]:6006:6006/udp")};
    const auto path = store.save(preset);
    QVERIFY2(path.ok(), qPrintable(path.error().message()));
    const auto loaded = store.load(preset.name());
    QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
    if (GpuSelection::Mode(mode) != GpuSelection::Mode::Devices)
        preset.spec().gpus.devices.clear();
    if (!preset.spec().gpus.hasCount())
        preset.spec().gpus.count = 1;
    QCOMPARE(loaded.value().spec(), preset.spec());
    if (GpuSelection::Mode(mode) == GpuSelection::Mode::Free) {
        // As the preset format documents it: {"mode": "free", "count": N}.
        const QJsonObject gpus = QJsonDocument::fromJson(preset.toFileBytes())
                                     .object()
                                     .value(QStringLiteral("gpus"))
                                     .toObject();
        QCOMPARE(gpus, (QJsonObject{{QStringLiteral("mode"), QStringLiteral("free")},
                                    {QStringLiteral("count"), 3}}));
    }
    QCOMPARE(loaded.value(), preset);
}

void TestPresetStore::unknownFieldsKept()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mine.json"));
    write(path, R"({"format": "gpudeck-preset", "version": 1, "name": "mine", "image": "busybox",
        "color": "teal", "future": {"nested": [1, 2, {"x": null}]}})");
    PresetStore store(dir.path());
    auto loaded = store.load(QStringLiteral("mine"));
    QVERIFY(loaded.ok());
    QCOMPARE(loaded.value().extras().value(QStringLiteral("color")).toString(),
             QStringLiteral("teal"));
    // Re-saved from the loaded preset, and from one built anew: the extras stay.
    loaded.value().spec().command = {QStringLiteral("true")};
    QCOMPARE(store.save(loaded.value()).value(), QFileInfo(path).absoluteFilePath());
    Preset fresh(QStringLiteral("mine"), loaded.value().spec());
    QVERIFY(store.save(fresh).ok());
    const QJsonObject object = QJsonDocument::fromJson(read(path)).object();
    QCOMPARE(object.value(QStringLiteral("color")).toString(), QStringLiteral("teal"));
    QCOMPARE(object.value(QStringLiteral("future")).toObject(),
             QJsonDocument::fromJson(R"({"nested": [1, 2, {"x": null}]})").object());
    QCOMPARE(object.value(QStringLiteral("command")).toArray(), QJsonArray{QStringLiteral("true")});
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("mine.json")});
}

void TestPresetStore::broken_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("bad JSON") << QByteArray("{\"format\": \"gpudeck-preset\", ")
                              << QStringLiteral("not valid JSON");
    QTest::newRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
    QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("not a JSON object");
    QTest::newRow("no format") << QByteArray(R"({"version": 1, "name": "x", "image": "busybox"})")
                               << QStringLiteral("not a GPU Deck preset");
    QTest::newRow("missing image")
        << QByteArray(R"({"format": "gpudeck-preset", "version": 1, "name": "x"})")
        << QStringLiteral("no \"image\"");
    QTest::newRow("command not a list") << QByteArray(
        R"({"format": "gpudeck-preset", "version": 1, "name": "x", "image": "b", "command": "ls"})")
                                        << QStringLiteral("\"command\" must be a list of strings");
    QTest::newRow("ports a string") << QByteArray(
        R"({"format": "gpudeck-preset", "version": 1, "name": "x", "image": "b", "ports": "8888"})")
                                    << QStringLiteral("\"ports\" must be a list of strings");
    QTest::newRow("autoRemove a string") << QByteArray(
        R"({"format": "gpudeck-preset", "version": 1, "name": "x", "image": "b", "autoRemove": "yes"})")
                                         << QStringLiteral("\"autoRemove\" must be true or false");
    QTest::newRow("bad gpu mode") << QByteArray(
        R"({"format": "gpudeck-preset", "version": 1, "name": "x", "image": "b", "gpus": {"mode": "some"}})")
                                  << QStringLiteral("\"mode\"");
    QTest::newRow("count zero") << QByteArray(
        R"({"format": "gpudeck-preset", "version": 1, "name": "x", "image": "b", "gpus": {"mode": "count", "count": 0}})")
                                << QStringLiteral("count");
    QTest::newRow("version string")
        << QByteArray(R"({"format": "gpudeck-preset", "version": "1", "name": "x", "image": "b"})")
        << QStringLiteral("\"version\"");
}

void TestPresetStore::broken()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("x.json"));
    write(path, bytes);
    PresetStore store(dir.path());

    const QList<PresetStore::Entry> entries = store.list();
    QCOMPARE(entries.size(), 1);
    QVERIFY(entries.first().isBroken());
    QCOMPARE(entries.first().filePath, QFileInfo(path).absoluteFilePath());
    QVERIFY2(entries.first().error.message().contains(reason),
             qPrintable(entries.first().error.message()));
    QVERIFY(entries.first().error.message().contains(path));

    // Nothing the store does touches it.
    QVERIFY(!store.load(entries.first().name).ok());
    QVERIFY(!store.remove(entries.first().name).ok());
    QVERIFY(!store.rename(entries.first().name, QStringLiteral("y")).ok());
    const auto saved = store.save(sample(QStringLiteral("x")));
    QVERIFY(saved.ok());
    QVERIFY(saved.value() != QFileInfo(path).absoluteFilePath());
    QVERIFY(store.saveAs(sample(QStringLiteral("a")), QStringLiteral("x.json")).ok());
    QCOMPARE(read(path), bytes);
    QCOMPARE(store.list().size(), 3);
}

void TestPresetStore::futureVersion()
{
    const auto preset = Preset::fromJson(
        R"({"format": "gpudeck-preset", "version": 2, "name": "x", "image": "busybox", "new": 1})",
        QStringLiteral("/p/x.json"));
    QVERIFY(!preset.ok());
    QCOMPARE(preset.error().message(),
             QStringLiteral(
                 "Cannot read the preset /p/x.json: it was written by a newer GPU Deck (format "
                 "version 2); this version reads version 1. Update GPU Deck."));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("future.json"));
    const QByteArray bytes =
        R"({"format": "gpudeck-preset", "version": 7, "name": "future", "image": "b"})";
    write(path, bytes);
    PresetStore store(dir.path());
    QVERIFY(store.list().first().isBroken());
    QCOMPARE(store.list().first().name, QStringLiteral("future"));
    QVERIFY(
        store.load(QStringLiteral("future")).error().message().contains(QLatin1String("version 7")));
    QVERIFY(store.save(sample(QStringLiteral("future"))).ok());
    QCOMPARE(read(path), bytes);
    QVERIFY(!store.importFile(path).ok());
}

void TestPresetStore::saveAndNames()
{
    QTemporaryDir dir;
    PresetStore store(dir.path());
    QCOMPARE(PresetStore::slug(QStringLiteral("smi on GPU 0")), QStringLiteral("smi-on-gpu-0"));
    QCOMPARE(PresetStore::slug(QStringLiteral("../../etc/passwd")), QStringLiteral("etc-passwd"));
    QCOMPARE(PresetStore::slug(QStringLiteral("\u00e9\u00e9")), QStringLiteral("preset"));

    const auto first = store.save(sample(QStringLiteral("smi on gpu 0")));
    QCOMPARE(QFileInfo(first.value()).fileName(), QStringLiteral("smi-on-gpu-0.json"));
    // Same slug, different name: a second file.
    const auto second = store.save(sample(QStringLiteral("smi/on gpu 0")));
    QCOMPARE(QFileInfo(second.value()).fileName(), QStringLiteral("smi-on-gpu-0-2.json"));
    // Same name: the same file is updated.
    QCOMPARE(store.save(sample(QStringLiteral("smi on gpu 0"))).value(), first.value());
    // Names differing only in case clash.
    QVERIFY(!store.save(sample(QStringLiteral("SMI ON GPU 0"))).ok());
    QVERIFY(!store.saveAs(sample(QStringLiteral("z")), QStringLiteral("Smi On Gpu 0")).ok());
    QVERIFY(store.saveAs(sample(QStringLiteral("z")), QStringLiteral("copy")).ok());
    QVERIFY(!store.save(sample(QString())).ok());
    QVERIFY(!store.save(sample(QStringLiteral("line\nbreak"))).ok());
    QCOMPARE(store.list().size(), 3);
    // Lookup: exact, then a unique case-insensitive match.
    QVERIFY(store.load(QStringLiteral("COPY")).ok());
    QVERIFY(!store.load(QStringLiteral("nope")).ok());
}

void TestPresetStore::atomicSave()
{
    QTemporaryDir dir;
    PresetStore store(dir.path());
    const QString path = store.save(sample(QStringLiteral("p"))).value();
    Preset bigger = sample(QStringLiteral("p"));
    bigger.spec().env = QStringList(500, QStringLiteral("K=") + QString(100, QLatin1Char('v')));
    QVERIFY(store.save(bigger).ok());
    QCOMPARE(read(path), bigger.toFileBytes());
    // No temporary files left behind.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("p.json")});
    // A store whose folder cannot exist reports an error value.
    write(dir.filePath(QStringLiteral("file")), "x");
    PresetStore impossible(dir.filePath(QStringLiteral("file/presets")));
    const auto failed = impossible.save(sample(QStringLiteral("p")));
    QVERIFY(!failed.ok());
    QVERIFY(failed.error().message().contains(QLatin1String("Cannot write")));
    // Writing over a folder fails and leaves it.
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("d.json")));
    QVERIFY(!PresetStore::writeFile(dir.filePath(QStringLiteral("d.json")), "{}").ok());
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("d.json"))).isDir());
}

void TestPresetStore::renameAndDelete()
{
    QTemporaryDir dir;
    PresetStore store(dir.path());
    QVERIFY(store.save(sample(QStringLiteral("alpha"))).ok());
    QVERIFY(store.save(sample(QStringLiteral("beta"))).ok());
    QVERIFY(!store.rename(QStringLiteral("alpha"), QStringLiteral("BETA")).ok());
    QVERIFY(!store.rename(QStringLiteral("missing"), QStringLiteral("x")).ok());
    // Case-only rename keeps the file.
    QCOMPARE(QFileInfo(store.rename(QStringLiteral("alpha"), QStringLiteral("Alpha")).value())
                 .fileName(),
             QStringLiteral("alpha.json"));
    QCOMPARE(store.load(QStringLiteral("Alpha")).value().name(), QStringLiteral("Alpha"));
    const auto renamed = store.rename(QStringLiteral("Alpha"), QStringLiteral("gamma ray"));
    QCOMPARE(QFileInfo(renamed.value()).fileName(), QStringLiteral("gamma-ray.json"));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("alpha.json"))));
    QCOMPARE(store.load(QStringLiteral("gamma ray")).value().spec(),
             sample(QStringLiteral("x")).spec());

    QVERIFY(store.remove(QStringLiteral("beta")).ok());
    QVERIFY(!store.remove(QStringLiteral("beta")).ok());
    QCOMPARE(store.list().size(), 1);
}

void TestPresetStore::importExport()
{
    QTemporaryDir dir;
    QTemporaryDir outside;
    PresetStore store(dir.path());
    const QString source = outside.filePath(QStringLiteral("shared.json"));
    write(source,
          R"({"format": "gpudeck-preset", "version": 1, "name": "shared", "image": "busybox",
        "gpus": {"mode": "all"}, "extra": true})");

    const auto imported = store.importFile(source);
    QVERIFY2(imported.ok(), qPrintable(imported.error().message()));
    QVERIFY(!store.importFile(source).ok());
    QVERIFY(store.importFile(source).error().message().contains(QLatin1String("already exists")));
    QVERIFY(store.importFile(source, QStringLiteral("shared 2")).ok());
    QVERIFY(!store.importFile(outside.filePath(QStringLiteral("missing.json"))).ok());
    QCOMPARE(store.load(QStringLiteral("shared 2"))
                 .value()
                 .extras()
                 .value(QStringLiteral("extra"))
                 .toBool(),
             true);

    const QString target = outside.filePath(QStringLiteral("out/exported.json"));
    QVERIFY(store.exportTo(QStringLiteral("shared"), target).ok());
    const auto back = PresetStore::loadFile(target);
    QVERIFY(back.ok());
    QCOMPARE(back.value(), store.load(QStringLiteral("shared")).value());
    QVERIFY(!store.exportTo(QStringLiteral("nope"), target).ok());

    // resolve: a name first, else a file.
    QVERIFY(store.resolve(QStringLiteral("shared")).ok());
    QVERIFY(store.resolve(target).ok());
}

void TestPresetStore::directoryFromEnvironment()
{
    QTemporaryDir dir;
    qputenv("GPUDECK_PRESET_DIR", dir.path().toUtf8());
    QCOMPARE(PresetStore().directory(), dir.path());
    QCOMPARE(PresetStore(QStringLiteral("/explicit")).directory(), QStringLiteral("/explicit"));
    qunsetenv("GPUDECK_PRESET_DIR");
    QVERIFY(PresetStore().directory().endsWith(QLatin1String("/presets")));
}

QTEST_GUILESS_MAIN(TestPresetStore)
#include "tst_presetstore.moc"
