#pragma once

#include "common/Result.h"
#include "launch/ExportTarget.h"
#include "launch/LaunchSpec.h"

#include <QWidget>

class QPlainTextEdit;
class QTabWidget;
class QToolButton;

// The launch the window shows, as the `docker run` line (and `podman run` on Podman), the Docker SDK for Python script and
// the Compose file that do the same, each with a copy button (the Compose file also with a save
// button). It follows every tick and keystroke.
class CommandPane : public QWidget
{
    Q_OBJECT

public:
    explicit CommandPane(QWidget *parent = nullptr);

    void setSpec(const LaunchSpec &spec);
    // The engine the docker run line names (-H URL or --context NAME); empty for the usual one.
    void setEngine(const QString &engine);
    // A Podman engine: a "podman run" tab comes first (GPUs as CDI devices, as Podman takes them);
    // before 5.4 the Python and Compose exports say that Podman drops their GPU requests.
    void setPodman(bool podman, const QString &podmanVersion = {});
    QString dockerRun() const;
    QString podmanRun() const;
    QString python() const;
    QString compose() const;

    // Writes the Compose file to path (atomically); the save button asks for the path.
    Result<void> saveCompose(const QString &path) const;

private:
    QWidget *page(QPlainTextEdit *text, QToolButton *copy, const QString &what,
                  QToolButton *save = nullptr);
    void askWhereToSave();

    QTabWidget *m_tabs;
    QPlainTextEdit *m_dockerRun;
    QPlainTextEdit *m_python;
    QPlainTextEdit *m_compose;
    QWidget *m_podmanPage;
    QPlainTextEdit *m_podmanRun;
    QToolButton *m_copyPodmanRun;
    QToolButton *m_copyDockerRun;
    QToolButton *m_copyPython;
    QToolButton *m_copyCompose;
    QToolButton *m_saveCompose;
    LaunchSpec m_spec;
    bool m_haveSpec = false;
    QString m_engine;
    bool m_podman = false;
    ExportTarget m_target;
};
