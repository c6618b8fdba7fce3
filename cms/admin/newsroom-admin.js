// The newsroom's additions to Decap CMS, loaded after decap-cms.js (no build step, no CDN).
(function () {
  "use strict";

  // A story's id: 12 hex characters with at least one letter (like `invoke new`), so YAML
  // never reads it as a number. Given once when the story is created, never changed.
  function newId() {
    var bytes = new Uint8Array(6);
    for (;;) {
      window.crypto.getRandomValues(bytes);
      var id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      if (/[a-f]/.test(id)) { return id; }
    }
  }

  var StoryIdControl = createClass({
    componentDidMount: function () {
      if (!this.props.value) { this.props.onChange(newId()); }
    },
    render: function () {
      return h("input", {
        id: this.props.forID,
        className: this.props.classNameWrapper,
        value: this.props.value || "",
        readOnly: true,
        "aria-readonly": "true"
      });
    }
  });

  var StoryIdPreview = createClass({
    render: function () { return h("code", {}, this.props.value || ""); }
  });

  CMS.registerWidget("storyid", StoryIdControl, StoryIdPreview);
  CMS.init();
})();
