"""The desk of the Chefs vom Dienst: who may approve, the approvals, the send stop."""
