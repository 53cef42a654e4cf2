#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "common/Error.h"
#include "gpus/GpuPanel.h"
#include "launch/CommandPane.h"
#include "launch/ComposeExport.h"
#include "presets/PresetBar.h"
#include "presets/PresetStore.h"
#include "window/GuiEntry.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

#include <memory>

// Presets and the equivalent command in the window, against the real sandboxed dockerd and the
// fake NVML library with 8 GPUs.
class TestPresetBar : public GuiTestBase
{
    Q_OBJECT

private:
    static bool gpusShown(MainWindow *window)
    {
        return QTest::qWaitFor([&]() { return window->gpuPanel()->gpuCount() == 8; }, 10000);
    }

    static void tick(MainWindow *window, int row)
    {
        auto *tree = child<QTreeWidget>(window, "gpuTree");
        tree->topLevelItem(row)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    }

    static QList<int> tickedRows(MainWindow *window)
    {
        auto *tree = child<QTreeWidget>(window, "gpuTree");
        QList<int> rows;
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            if (tree->topLevelItem(i)->checkState(GpuPanel::IndexColumn) == Qt::Checked)
                rows.append(i);
        }
        return rows;
    }

    // Picks the combo's next entry with the keyboard, as a user would.
    static void pickNextPreset(MainWindow *window)
    {
        auto *combo = child<QComboBox>(window, "presetCombo");
        combo->setFocus();
        QTest::keyClick(combo, Qt::Key_Down);
    }

    static void setText(MainWindow *window, const char *name, const QString &text)
    {
        auto *edit = child<QLineEdit>(window, name);
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }

    // Triggers an action and says whether it blocked in a dialog of its own (exec): such a
    // dialog is answered from a timer, so that the test goes on to fail instead of hanging.
    static bool triggerBlocks(QAction *action)
    {
        bool inside = true;
        bool blocked = false;
        QTimer watchdog;
        watchdog.setInterval(50);
        QObject::connect(&watchdog, &QTimer::timeout, [&]() {
            if (!inside)
                return;
            const QWidgetList windows = QApplication::topLevelWidgets();
            for (QWidget *w : windows) {
                if (auto *dialog = qobject_cast<QDialog *>(w); dialog && dialog->isVisible()) {
                    blocked = true;
                    dialog->reject();
                }
            }
        });
        watchdog.start();
        action->trigger();
        inside = false;
        return blocked;
    }

    static QList<QMessageBox *> visibleErrors(MainWindow *window)
    {
        QList<QMessageBox *> boxes;
        const QList<QMessageBox *> all = window->findChildren<QMessageBox *>();
        for (QMessageBox *box : all) {
            if (box->isVisible() && box->icon() == QMessageBox::Warning)
                boxes.append(box);
        }
        return boxes;
    }

    std::unique_ptr<QTemporaryDir> m_presets;

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_settings.isValid());
        useSettings(QStringLiteral("gpudeck-test-presets"));
        useFakeNvml("eight");
    }

    void init()
    {
        QSettings().clear();
        m_presets = std::make_unique<QTemporaryDir>();
        qputenv("GPUDECK_PRESET_DIR", m_presets->path().toUtf8());
    }

    void savedPresetRestoresTicksInANewWindow()
    {
        LaunchSpec saved;
        {
            auto window = openWindow();
            QVERIFY(gpusShown(window.get()));
            setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
            setText(window.get(), "commandEdit", QStringLiteral("sh -c 'echo preset'"));
            setText(window.get(), "shmEdit", QStringLiteral("256m"));
            tick(window.get(), 1);
            tick(window.get(), 3);
            saved = window->currentSpec();
            QCOMPARE(saved.gpus,
                     GpuSelection::ofDevices({QStringLiteral("1"), QStringLiteral("3")}));
            const Result<QString> path = window->presetBar()->saveAs(QStringLiteral("pair"));
            QVERIFY2(path.ok(), qPrintable(path.error().message()));
            QVERIFY(QFile::exists(path.value()));
            QCOMPARE(child<QComboBox>(window.get(), "presetCombo")->currentText(),
                     QStringLiteral("pair"));
        }
        QSettings().clear(); // nothing remembered: the ticks must come from the preset

        auto window = openWindow();
        QVERIFY(gpusShown(window.get()));
        QCOMPARE(tickedRows(window.get()), QList<int>());
        auto *combo = child<QComboBox>(window.get(), "presetCombo");
        QCOMPARE(combo->count(), 1);
        pickNextPreset(window.get());
        QCOMPARE(window->presetBar()->currentName(), QStringLiteral("pair"));
        QCOMPARE(tickedRows(window.get()), QList<int>({1, 3}));
        QCOMPARE(window->currentSpec(), saved);
        QCOMPARE(child<QLineEdit>(window.get(), "shmEdit")->text(), QStringLiteral("256m"));
        QVERIFY(!window->presetBar()->isModified());

        // An edit marks it modified; Save writes it back, and the mark goes.
        tick(window.get(), 5);
        QVERIFY(window->presetBar()->isModified());
        QCOMPARE(child<QLabel>(window.get(), "presetState")->text(), QStringLiteral("modified"));
        child<QAction>(window.get(), "presetSaveAction")->trigger();
        QVERIFY(!window->presetBar()->isModified());
        const Result<Preset> reread = PresetStore(m_presets->path()).load(QStringLiteral("pair"));
        QVERIFY(reread.ok());
        QCOMPARE(reread.value().spec().gpus.devices,
                 QStringList({QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("5")}));

        // The last state is remembered: a third window shows the same preset and launch.
        const LaunchSpec last = window->currentSpec();
        window->close();
        window.reset();
        auto third = openWindow();
        QVERIFY(gpusShown(third.get()));
        QCOMPARE(third->presetBar()->currentName(), QStringLiteral("pair"));
        QCOMPARE(third->currentSpec(), last);
        QVERIFY(!third->presetBar()->isModified());
    }

    void renameDeleteImportExport()
    {
        auto window = openWindow();
        PresetBar *bar = window->presetBar();
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
        QVERIFY(bar->saveAs(QStringLiteral("first")).ok());
        QVERIFY(!bar->saveAs(QStringLiteral("FIRST")).ok()); // taken, case-insensitively
        QVERIFY(bar->rename(QStringLiteral("second")).ok());
        QCOMPARE(bar->currentName(), QStringLiteral("second"));
        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("second.json"));
        QVERIFY(bar->exportTo(file).ok());
        QVERIFY(bar->remove().ok());
        QCOMPARE(child<QComboBox>(window.get(), "presetCombo")->count(), 0);
        QVERIFY(bar->currentName().isEmpty());
        const Result<Preset> imported = bar->importFile(file);
        QVERIFY2(imported.ok(), qPrintable(imported.error().message()));
        QCOMPARE(bar->currentName(), QStringLiteral("second"));
        QCOMPARE(window->currentSpec().image, QStringLiteral("gpudeck-test:latest"));
    }

    void failedSaveAsIsSaidOnceWithoutBlocking()
    {
        auto window = openWindow();
        PresetBar *bar = window->presetBar();
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
        QVERIFY(bar->saveAs(QStringLiteral("taken")).ok());
        QSignalSpy messages(bar, &PresetBar::message);

        // The name dialog opens without blocking the window's event loop.
        QVERIFY(!triggerBlocks(child<QAction>(window.get(), "presetSaveAsAction")));
        QPointer<QInputDialog> dialog;
        QTRY_VERIFY(
            (dialog = window->findChild<QInputDialog *>(QStringLiteral("presetNameDialog"))));
        QVERIFY(dialog->isVisible());
        dialog->setTextValue(QStringLiteral("TAKEN")); // taken, case-insensitively
        dialog->accept();

        // Said once: one non-blocking message box, nothing more in the status bar.
        QTRY_COMPARE(visibleErrors(window.get()).size(), 1);
        QMessageBox *error = visibleErrors(window.get()).first();
        QVERIFY2(error->text().contains(QLatin1String("TAKEN")), qPrintable(error->text()));
        QCOMPARE(messages.count(), 0);
        error->close();
        QTRY_VERIFY(dialog.isNull());

        // Deleting asks without blocking too, and a "no" leaves the file.
        QVERIFY(!triggerBlocks(child<QAction>(window.get(), "presetDeleteAction")));
        QPointer<QMessageBox> question;
        QTRY_VERIFY(
            (question = window->findChild<QMessageBox *>(QStringLiteral("presetDeleteQuestion"))));
        question->button(QMessageBox::Cancel)->click();
        QCOMPARE(bar->currentName(), QStringLiteral("taken"));
        QVERIFY(PresetStore(m_presets->path()).load(QStringLiteral("taken")).ok());
    }

    void gpusStoredInAnotherOrderAreNotModified()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("gpudeck-test:latest");
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("3"), QStringLiteral("1")});
        spec.env = {QStringLiteral("NVIDIA_DRIVER_CAPABILITIES=compute,utility")};
        QVERIFY(PresetStore(m_presets->path()).save(Preset(QStringLiteral("reversed"), spec)).ok());

        auto window = openWindow();
        QVERIFY(gpusShown(window.get()));
        pickNextPreset(window.get());
        QCOMPARE(window->presetBar()->currentName(), QStringLiteral("reversed"));
        QCOMPARE(tickedRows(window.get()), QList<int>({1, 3}));
        QVERIFY(!window->presetBar()->isModified());
        QCOMPARE(child<QLabel>(window.get(), "presetState")->text(), QString());
        tick(window.get(), 5);
        QVERIFY(window->presetBar()->isModified());

        // The variable's name is read whole in the environment table.
        auto *env = child<QTableWidget>(window.get(), "envTable");
        QCOMPARE(env->item(0, 0)->text(), QStringLiteral("NVIDIA_DRIVER_CAPABILITIES"));
        const int needed = env->fontMetrics().horizontalAdvance(env->item(0, 0)->text());
        QVERIFY2(env->columnWidth(0) >= needed,
                 qPrintable(QStringLiteral("%1 < %2").arg(env->columnWidth(0)).arg(needed)));
    }

    void mainWidgetsHaveAccessibleNames()
    {
        auto window = openWindow();
        for (const char *name :
             {"presetCombo", "presetState", "envTable", "imageView", "imageFilter", "logTabs",
              "dockerRunText", "pythonText", "composeText", "findEdit"}) {
            auto *widget = window->findChild<QWidget *>(QLatin1String(name));
            QVERIFY2(widget, name);
            QVERIFY2(!widget->accessibleName().isEmpty(), name);
        }
    }

    void missingGpuUuidIsFlagged()
    {
        // UUIDs as a preset from another host keeps them: one of this host's, one that is not.
        QString hostUuid;
        {
            auto window = openWindow();
            QVERIFY(gpusShown(window.get()));
            hostUuid = child<QTreeWidget>(window.get(), "gpuTree")
                           ->topLevelItem(2)
                           ->data(GpuPanel::IndexColumn, GpuPanel::UuidRole)
                           .toString();
        }
        QVERIFY(hostUuid.startsWith(QLatin1String("GPU-")));
        const QString absent = QStringLiteral("GPU-00000000-dead-beef-0000-000000000000");
        LaunchSpec spec;
        spec.image = QStringLiteral("gpudeck-test:latest");
        spec.gpus = GpuSelection::ofDevices({hostUuid, absent});
        QVERIFY(
            PresetStore(m_presets->path()).save(Preset(QStringLiteral("elsewhere"), spec)).ok());

        auto window = openWindow();
        QVERIFY(gpusShown(window.get()));
        auto *missing = child<QLabel>(window.get(), "gpuMissing");
        QVERIFY(!missing->isVisible());
        pickNextPreset(window.get());
        QCOMPARE(tickedRows(window.get()), QList<int>({2}));
        QVERIFY(missing->isVisible());
        QVERIFY2(missing->text().contains(absent), qPrintable(missing->text()));
        QVERIFY(!missing->text().contains(hostUuid));
        QCOMPARE(window->currentSpec().gpus, spec.gpus); // stored as picked: UUIDs stay UUIDs
        QCOMPARE(window->gpuPanel()->missingDevices(), QStringList{absent});

        // "Forget it" drops the absent GPU and keeps the one this host has.
        emit missing->linkActivated(QStringLiteral("forget"));
        QVERIFY(!missing->isVisible());
        QCOMPARE(window->currentSpec().gpus, GpuSelection::ofDevices({hostUuid}));
    }

    void brokenPresetIsShownAndNeverTouched()
    {
        const QString path = QDir(m_presets->path()).filePath(QStringLiteral("broken.json"));
        const QByteArray bytes = "{\"format\": \"gpudeck-preset\", \"version\": 1, \"name\": ";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(bytes);
        }
        auto window = openWindow();
        setText(window.get(), "imageEdit", QStringLiteral("untouched:image"));
        auto *combo = child<QComboBox>(window.get(), "presetCombo");
        QCOMPARE(combo->count(), 1);
        QVERIFY2(combo->itemText(0).contains(QLatin1String("broken")),
                 qPrintable(combo->itemText(0)));
        QVERIFY(!combo->itemData(0, Qt::ToolTipRole).toString().isEmpty());
        pickNextPreset(window.get());
        auto *state = child<QLabel>(window.get(), "presetState");
        QCOMPARE(state->text(), QStringLiteral("broken"));
        QVERIFY(!state->toolTip().isEmpty());
        QVERIFY(!state->toolTip().contains(QLatin1Char('{')));
        QVERIFY(!child<QAction>(window.get(), "presetSaveAction")->isEnabled());
        QVERIFY(!child<QAction>(window.get(), "presetDeleteAction")->isEnabled());
        QVERIFY(!child<QAction>(window.get(), "presetRenameAction")->isEnabled());
        QCOMPARE(window->currentSpec().image, QStringLiteral("untouched:image"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
    }

    void dockerRunFollowsEdits()
    {
        auto window = openWindow();
        QVERIFY(gpusShown(window.get()));
        auto *run = child<QPlainTextEdit>(window.get(), "dockerRunText");
        auto *python = child<QPlainTextEdit>(window.get(), "pythonText");
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
        setText(window.get(), "commandEdit", QStringLiteral("nvidia-smi"));
        // The window was opened with --host: the equivalent command names that engine too.
        QVERIFY2(run->toPlainText().startsWith(
                     QStringLiteral("docker -H %1 run ").arg(TestEngine::host())),
                 qPrintable(run->toPlainText()));
        QVERIFY(run->toPlainText().contains(QLatin1String("gpudeck-test:latest nvidia-smi")));
        QVERIFY(!run->toPlainText().contains(QLatin1String("--gpus")));

        const QString before = run->toPlainText();
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-demo:latest"));
        QVERIFY(run->toPlainText() != before);
        QVERIFY(run->toPlainText().contains(QLatin1String("gpudeck-demo:latest")));
        QVERIFY(python->toPlainText().contains(QLatin1String("gpudeck-demo:latest")));

        tick(window.get(), 4);
        QVERIFY2(run->toPlainText().contains(QLatin1String("--gpus")),
                 qPrintable(run->toPlainText()));
        QVERIFY(run->toPlainText().contains(QLatin1String("device=4")));
        QVERIFY2(python->toPlainText().contains(QLatin1String("device_ids=['4']"))
                     || python->toPlainText().contains(QLatin1String("device_ids=[\"4\"]")),
                 qPrintable(python->toPlainText()));

        QTest::mouseClick(child<QToolButton>(window.get(), "copyDockerRun"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), run->toPlainText());
        QTest::mouseClick(child<QToolButton>(window.get(), "copyPython"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), python->toPlainText());
    }

    void composeTabCopiesAndSaves()
    {
        auto window = openWindow();
        QVERIFY(gpusShown(window.get()));
        auto *compose = child<QPlainTextEdit>(window.get(), "composeText");
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
        setText(window.get(), "commandEdit", QStringLiteral("nvidia-smi"));
        tick(window.get(), 4);
        QVERIFY2(compose->toPlainText().contains(QLatin1String("image: \"gpudeck-test:latest\"")),
                 qPrintable(compose->toPlainText()));
        QVERIFY(compose->toPlainText().contains(QLatin1String("device_ids: [\"4\"]")));
        QCOMPARE(compose->toPlainText(), ComposeExport::yaml(window->currentSpec()));

        QTest::mouseClick(child<QToolButton>(window.get(), "copyCompose"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), compose->toPlainText());

        // Save…: a dialog that does not block; choosing a file writes the text there.
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("gpu.yaml"));
        QTest::mouseClick(child<QToolButton>(window.get(), "saveCompose"), Qt::LeftButton);
        QPointer<QFileDialog> dialog;
        QTRY_VERIFY(
            (dialog = window->findChild<QFileDialog *>(QStringLiteral("saveComposeDialog"))));
        QVERIFY(dialog->isVisible());
        emit dialog->fileSelected(path);
        dialog->close();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), compose->toPlainText());
        QTRY_VERIFY(dialog.isNull());

        // A file that cannot be written is said in a sentence, not lost.
        const Result<void> failed = window->commandPane()->saveCompose(
            out.filePath(QStringLiteral("no/such/dir/x.yaml")));
        QVERIFY(!failed);
        QVERIFY(failed.error().message().contains(QLatin1String("Compose file")));
    }

    void windowAndCliShareThePresetDirectory()
    {
        // As the installed program runs: no override, the window's own application names.
        QTemporaryDir config;
        const QByteArray savedXdg = qgetenv("XDG_CONFIG_HOME");
        qunsetenv("GPUDECK_PRESET_DIR");
        qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
        setGuiIdentity();
        auto restore = qScopeGuard([&]() {
            QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-test"));
            QCoreApplication::setApplicationName(QStringLiteral("gpudeck-test-presets"));
            if (savedXdg.isEmpty())
                qunsetenv("XDG_CONFIG_HOME");
            else
                qputenv("XDG_CONFIG_HOME", savedXdg);
        });
        auto window = openWindow();
        QCOMPARE(window->presetBar()->store().directory(),
                 config.path() + QStringLiteral("/gpudeck/presets"));
        setText(window.get(), "imageEdit", QStringLiteral("gpudeck-test:latest"));
        QVERIFY(window->presetBar()->saveAs(QStringLiteral("seen by the cli")).ok());

        QProcessEnvironment env;
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
        const TestEngine::CliResult list = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                  {QStringLiteral("preset"),
                                                                   QStringLiteral("list")},
                                                                  env);
        QVERIFY2(list.exitCode == 0, list.err.constData());
        QVERIFY2(list.out.contains("seen by the cli"), list.out.constData());
    }
};

QTEST_MAIN(TestPresetBar)
#include "tst_presetbar.moc"
