#pragma once

#include <QHash>
#include <QPointer>
#include <QWidget>

class Engine;
class EngineRegistry;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

// The engines of the registry, one row each: name, state in words (connected, connecting, down and
// why), kind and version, and the host's GPUs ("8 GPUs · 1 busy"). A field adds an engine by URL;
// engines added here can be removed. Picking a row says engineSelected(); the window switches.
class EngineList : public QWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, StateColumn, KindColumn, GpuColumn };

    explicit EngineList(QWidget *parent = nullptr);

    void setRegistry(EngineRegistry *registry);
    // Marks engine as the selected one without saying engineSelected().
    void setCurrent(Engine *engine);
    Engine *current() const;
    int rowCount() const;
    // The row's texts, for tests and the accessible description: "name", "state", "kind", "gpus".
    QString rowText(const Engine *engine, Column column) const;
    QTreeWidgetItem *item(const Engine *engine) const { return m_items.value(engine); }

    // In words, as the row shows it.
    static QString stateText(const Engine *engine);
    static QString gpuText(const Engine *engine);

signals:
    void engineSelected(Engine *engine);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void addRow(Engine *engine);
    void removeRow(Engine *engine);
    void updateRow(Engine *engine);
    // The name column as wide as the longest name, up to about 20 characters; the kind column
    // hidden when the rest would not fit.
    void fitColumns();
    void onCurrentItemChanged(QTreeWidgetItem *item);
    void addFromField();
    void removeCurrent();
    void updateButtons();

    QPointer<EngineRegistry> m_registry;
    QPointer<Engine> m_current;
    QHash<const Engine *, QTreeWidgetItem *> m_items;
    QTreeWidget *m_view;
    QLineEdit *m_url;
    QPushButton *m_add;
    QPushButton *m_remove;
    QLabel *m_error;
    bool m_settingCurrent = false;
};
