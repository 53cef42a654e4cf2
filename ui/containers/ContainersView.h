#pragma once

#include <QPointer>
#include <QWidget>

class ContainerWatch;
class DockerClient;
class EngineWatch;
class Error;
class GpuHistory;
class GpuSnapshot;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QUrl;

// The containers of one engine, running and stopped: name, image, uptime or exit code and when,
// the GPUs each holds, the preset that launched it; live from the engine's events (no polling),
// listed again when the engine comes back. Filter to GPU containers, sort by any column, search
// by name or image. Stop, Kill, Restart, Remove (a running one after one inline confirmation),
// Copy ID, Open in VS Code, and Logs, Shell, Attach and Launch Again, which only ask: the window
// opens the log tab (logsRequested), a shell (shellRequested: the first of bash and sh, or the
// command typed beside the button), the container's own terminal again (attachRequested, for an
// interactive one: docker run -it) or loads the container's launch (launchAgainRequested).
class ContainersView : public QWidget
{
    Q_OBJECT

public:
    // watch: the engine's own EngineWatch, when it has one (else the view keeps its own).
    explicit ContainersView(DockerClient *client, EngineWatch *watch = nullptr,
                            QWidget *parent = nullptr);
    ~ContainersView() override;

    ContainerWatch *containerWatch() const { return m_watch; }
    // The host's GPUs (the GPU panel's snapshots): GPUs are then shown by index.
    void setHostGpus(const GpuSnapshot &host);
    // The host's last hour: the GPU use column's sparklines (each running container's
    // utilisation, the tooltip its memory).
    void setGpuHistory(const GpuHistory &history);
    // The selected container's ID; empty when none.
    QString selectedId() const;
    bool selectContainer(const QString &idOrName);
    // VS Code's address that attaches to the container of that name on this machine's engine.
    static QUrl vsCodeUrl(const QString &name);

signals:
    // Open the container's logs in a log tab; tty: its output is one raw stream.
    void logsRequested(const QString &id, const QString &name, bool tty);
    // Open a terminal running command in the container (empty: the first of bash and sh).
    void shellRequested(const QString &id, const QString &name, const QStringList &command);
    // Open the terminal of an interactive container (tty and stdin open) again.
    void attachRequested(const QString &id, const QString &name);
    // Load the container's launch into the form: the preset that launched it (its preset label),
    // or, with preset empty, the launch rebuilt from the container.
    void launchAgainRequested(const QString &id, const QString &preset);

private:
    void updateButtons();
    void act(const QString &what, const QString &verb);
    void askRemove();
    void removeSelected(bool force);
    void showError(const Error &error);
    void openInVsCode();
    void requestShell();

    QPointer<DockerClient> m_client;
    ContainerWatch *m_watch;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_search;
    QCheckBox *m_gpuOnly;
    QPushButton *m_stop;
    QPushButton *m_kill;
    QPushButton *m_restart;
    QPushButton *m_remove;
    QPushButton *m_copyId;
    QPushButton *m_logs;
    QPushButton *m_shell;
    QLineEdit *m_shellCommand;
    QPushButton *m_attach;
    QPushButton *m_launchAgain;
    QPushButton *m_vsCode;
    QWidget *m_confirm;
    QLabel *m_confirmText;
    QLabel *m_status;
    QTimer *m_tick;
    QString m_confirmId;
};
